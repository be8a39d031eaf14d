// Public API of @attest/audit: the pure core (no NestJS, no TypeORM). A third party verifies an export with this alone.
export { canonicalize, canonicalBytes, parseCanonical, CanonicalJsonError, CanonicalJsonProblem } from './core/canonical-json';
export type { JsonValue } from './core/json-value';
export { sha256, leafHash, nodeHash, toHex, fromHex, EMPTY_TREE_ROOT, GENESIS_PREVIOUS_HASH, HASH_SIZE } from './core/hashing';
export type { Hash } from './core/hashing';
export {
  merkleRoot,
  MerkleFrontier,
  inclusionProof,
  consistencyProof,
  verifyInclusion,
  verifyConsistency,
  largestPowerOfTwoBelow,
  LeafRange,
} from './core/merkle-tree';
export {
  RETENTION_APPLIED_ACTION,
  LEGAL_HOLD_SET_ACTION,
  LEGAL_HOLD_RELEASED_ACTION,
  parseRetentionDetails,
  anchorOf,
  holdCovers,
  RetentionAuditor,
} from './core/retention';
export type { RetentionDetails, RetentionAnchor, LegalHoldScope } from './core/retention';
export {
  createNoteSigner,
  parseVerifierKey,
  formatVerifierKey,
  ed25519KeyId,
  rawEd25519PublicKey,
  generateEd25519PrivateKey,
  ed25519PrivateKeyFromSeed,
  signNote,
  addNoteSignatures,
  parseSignedNote,
  verifyNote,
  NoteFormatError,
} from './core/signed-note';
export type { NoteSigner, NoteVerifier, NoteSignature, ParsedNote, NoteVerification } from './core/signed-note';
export { formatCheckpoint, parseCheckpoint } from './core/checkpoint';
export type { Checkpoint } from './core/checkpoint';
export {
  AUDIT_LEAF_VERSION,
  toEventContent,
  sealEvent,
  readLeaf,
  formatTimestamp,
  parseTimestampMicros,
  LeafFormatError,
} from './core/audit-event';
export type { AuditLeaf, AuditEventContent, LeafHeader, SealedEvent, StoredPayload, PayloadMode } from './core/audit-event';
export { parseKeyManifest, withinKeyWindow, KeyManifestError } from './core/trusted-keys';
export type { TrustedKey } from './core/trusted-keys';
export { VerifyFailureCode } from './core/verify-failure';
export type { VerifyFailure, VerifyReport } from './core/verify-failure';
export { LogVerifier } from './core/log-verifier';
export type { LogEntry, EventColumns, LogVerifierOptions } from './core/log-verifier';
export { buildBundle, verifyBundle, verifyBundleAsync, manifestNoteText, BUNDLE_FORMAT, BUNDLE_FILES } from './core/evidence-bundle';
export type { ParallelVerifyOptions } from './core/parallel-verify';
export type { BundleContents, BundleManifest, VerifyBundleOptions } from './core/evidence-bundle';
export { writeTar, readTar, TarFormatError } from './core/tar-archive';
export type { TarEntry } from './core/tar-archive';
export { verifyInclusionEvidence } from './core/inclusion-evidence';
export type { InclusionEvidence, InclusionCheck } from './core/inclusion-evidence';
export { createCosigner, parseCosignerKey, countCosignatures, addCheckpoint } from './core/witness';
export type { Cosigner, CosignerKey, WitnessedHead, WitnessedLog, AddCheckpointOutcome } from './core/witness';
export { isSealedContent, openContent, sealContent, subjectReference } from './core/sealed-content';
export type { RawContent, SealedContent } from './core/sealed-content';
