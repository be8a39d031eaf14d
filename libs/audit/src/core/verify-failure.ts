/**
 * One stable code per way a log or a bundle can fail verification. docs/audit-format.md lists what each means;
 * the CLI prints the code, and `--json` reports carry it.
 */
export enum VerifyFailureCode {
  BundleUnreadable = 'BUNDLE_UNREADABLE',
  BundleFileMissing = 'BUNDLE_FILE_MISSING',
  BundleFileDuplicated = 'BUNDLE_FILE_DUPLICATED',
  BundleFileUnexpected = 'BUNDLE_FILE_UNEXPECTED',
  BundleFileHashMismatch = 'BUNDLE_FILE_HASH_MISMATCH',
  BundleManifestInvalid = 'BUNDLE_MANIFEST_INVALID',
  BundleManifestSignatureInvalid = 'BUNDLE_MANIFEST_SIGNATURE_INVALID',
  /** A position of the log has no event (a deleted row). */
  EventMissing = 'EVENT_MISSING',
  /** Two rows claim one position. */
  EventDuplicated = 'EVENT_DUPLICATED',
  /** Stored bytes are not UTF-8 JSON in RFC 8785 form. */
  EventNotCanonical = 'EVENT_NOT_CANONICAL',
  /** Canonical JSON, but not a version-1 leaf. */
  EventMalformed = 'EVENT_MALFORMED',
  EventWrongOrigin = 'EVENT_WRONG_ORIGIN',
  /** The leaf's own `seq` differs from its position (inserted, swapped or moved events). */
  EventOutOfPlace = 'EVENT_OUT_OF_PLACE',
  /** A stored or exported leaf hash differs from SHA-256(0x00 ‖ bytes). */
  EventHashMismatch = 'EVENT_HASH_MISMATCH',
  /** `prev` differs from the leaf hash of the event before. */
  EventChainBroken = 'EVENT_CHAIN_BROKEN',
  /** A database column (seq, id, action, …) differs from the signed bytes. */
  EventColumnMismatch = 'EVENT_COLUMN_MISMATCH',
  CheckpointMalformed = 'CHECKPOINT_MALFORMED',
  /** No trusted key signed the checkpoint. */
  CheckpointUntrusted = 'CHECKPOINT_UNTRUSTED',
  /** A trusted key's signature does not verify. */
  CheckpointSignatureInvalid = 'CHECKPOINT_SIGNATURE_INVALID',
  CheckpointWrongOrigin = 'CHECKPOINT_WRONG_ORIGIN',
  /** The checkpoint's last event lies outside the signing key's validity window. */
  CheckpointKeyOutsideWindow = 'CHECKPOINT_KEY_OUTSIDE_WINDOW',
  /** A signed checkpoint commits to more events than the log holds: the tail was truncated. */
  CheckpointBeyondLog = 'CHECKPOINT_BEYOND_LOG',
  /** The Merkle root of the log's first `size` events differs from the signed root. */
  CheckpointRootMismatch = 'CHECKPOINT_ROOT_MISMATCH',
  /** The newest checkpoint lacks the required number of trusted witness cosignatures (split view not ruled out). */
  CheckpointWitnessQuorum = 'CHECKPOINT_WITNESS_QUORUM',
  /** The log is smaller than a checkpoint the verifier saw before (rollback, or tail and checkpoints deleted). */
  LogRolledBack = 'LOG_ROLLED_BACK',
  /** The log disagrees with a checkpoint the verifier saw before at the same size (a fork or split view). */
  LogForked = 'LOG_FORKED',
  /** The retention event the verifier starts from is malformed, missing from the log, or disagrees with it. */
  RetentionAnchorMismatch = 'RETENTION_ANCHOR_MISMATCH',
  /** Events were dropped while a legal hold covered them (or the drop hid a hold in force). */
  RetentionUnderLegalHold = 'RETENTION_UNDER_LEGAL_HOLD',
  /** Events were dropped before their retention period (declared, or the verifier's minimum) had passed. */
  RetentionTooEarly = 'RETENTION_TOO_EARLY',
  /** Content is sealed under a data subject key that a recorded erasure destroyed earlier: a key must never come back. */
  ShreddedKeyReused = 'SHREDDED_KEY_REUSED',
}

/** The first thing that is wrong, with what the verifier was given and what it expected. */
export interface VerifyFailure {
  code: VerifyFailureCode;
  message: string;
  /** Position of the first bad event, where one is to blame. */
  seq?: number;
  eventId?: string;
  checkpointSize?: number;
  file?: string;
  expected?: string;
  actual?: string;
}

export interface VerifyReport {
  ok: boolean;
  origin?: string;
  /** Leaves in the log (or in the bundle's tree). */
  size: number;
  /** Events whose bytes were checked (all of them for a database; the exported range for a bundle). */
  eventsChecked: number;
  /** Largest size covered by a verified, trusted checkpoint. */
  sealedSize: number;
  /** Events after the last verified checkpoint: intact as a chain, but not yet signed. */
  unsealed: number;
  checkpointsVerified: number;
  /** Trusted witness cosignatures on the newest checkpoint. */
  cosignatures: number;
  /** Trusted last-seen checkpoints (from outside the log) the log was found consistent with. */
  lastSeenVerified: number;
  /** Checkpoints whose key window could not be checked because the bundle lacks their last event. */
  keyWindowsUnchecked: number;
  /** `inference.request` events with no `inference.response` for the same request id: reported, not tampering. */
  incompleteRequests: { count: number; requestIds: string[] };
  /** First position still in the log: events before it were dropped by recorded retention (0: nothing dropped). */
  retainedFrom: number;
  /** Retention drops recorded in the verified events, each checked against legal holds and retention periods. */
  retentionDrops: number;
  /** Signed checkpoints of sizes that retention has dropped: their signatures verified, their roots no longer checkable. */
  checkpointsBeforeRetention: number;
  /** Payloads sealed under data subject keys that a recorded erasure destroyed: in the log, verified, unreadable. */
  shreddedPayloads: number;
  /** Recorded erasures (`data_subject.erased`) among the verified events. */
  erasures: number;
  failure?: VerifyFailure;
}
