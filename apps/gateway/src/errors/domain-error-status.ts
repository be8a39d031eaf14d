import { AuditErrorCode } from '@attest/audit/nest';
import { GovernanceErrorCode } from '@attest/governance';
import { PiiErrorCode } from '@attest/pii';
import { PolicyErrorCode } from '@attest/policy';
import { IdentityErrorCode } from '@attest/identity';
import { InferenceErrorCode } from '@attest/inference';
import { RegistryErrorCode } from '@attest/registry';

/**
 * HTTP status for every stable domain error code. Each switch is exhaustive: a code added to a lib without a status
 * here fails the type check.
 */
export function statusForIdentity(code: IdentityErrorCode): number {
  switch (code) {
    case IdentityErrorCode.Unauthenticated:
    case IdentityErrorCode.KeyExpired:
    case IdentityErrorCode.KeyRevoked:
    case IdentityErrorCode.TokenExpired:
    case IdentityErrorCode.PrincipalDisabled:
      return 401;
    case IdentityErrorCode.Forbidden:
    case IdentityErrorCode.NoRoleMapped:
    case IdentityErrorCode.ActionNotInScope:
    case IdentityErrorCode.ModelNotInScope:
      return 403;
    case IdentityErrorCode.InvalidKeyRequest:
    case IdentityErrorCode.LoginFailed:
      return 400;
    case IdentityErrorCode.KeyNotFound:
    case IdentityErrorCode.PrincipalNotFound:
      return 404;
    case IdentityErrorCode.IdpUnavailable:
      return 503;
    default:
      return unreachable(code);
  }
}

export function statusForRegistry(code: RegistryErrorCode): number {
  switch (code) {
    case RegistryErrorCode.ModelNotFound:
    case RegistryErrorCode.AliasNotFound:
      return 404;
    case RegistryErrorCode.ApproverRoleRequired:
    case RegistryErrorCode.FourEyesRequired:
      return 403;
    case RegistryErrorCode.NotServable:
    case RegistryErrorCode.Immutable:
    case RegistryErrorCode.InvalidTransition:
    case RegistryErrorCode.DuplicateVersion:
    case RegistryErrorCode.AliasTargetNotServable:
    case RegistryErrorCode.VersionInUse:
    case RegistryErrorCode.NothingToRollBack:
      return 409;
    case RegistryErrorCode.InvalidGguf:
    case RegistryErrorCode.InvalidInput:
      return 400;
    case RegistryErrorCode.IntegrityMismatch:
    case RegistryErrorCode.FileUnavailable:
      return 503;
    default:
      return unreachable(code);
  }
}

export function statusForInference(code: InferenceErrorCode): number {
  switch (code) {
    case InferenceErrorCode.InvalidRequest:
    case InferenceErrorCode.ContextOverflow:
    case InferenceErrorCode.Unsupported:
      return 400;
    case InferenceErrorCode.QueueFull:
    case InferenceErrorCode.QueueTimeout:
      return 429;
    case InferenceErrorCode.ModelLoadFailed:
    case InferenceErrorCode.ModelUnavailable:
    case InferenceErrorCode.IntegrityMismatch:
      return 503;
    case InferenceErrorCode.BackendFailed:
      return 502;
    case InferenceErrorCode.BackendTimeout:
      return 504;
    default:
      return unreachable(code);
  }
}

export function statusForGovernance(code: GovernanceErrorCode): number {
  switch (code) {
    case GovernanceErrorCode.PolicyDenied:
    case GovernanceErrorCode.ModelNotInScope:
      return 403;
    case GovernanceErrorCode.InspectionFailed:
      return 503;
    default:
      return unreachable(code);
  }
}

export function statusForAudit(code: AuditErrorCode): number {
  switch (code) {
    // Fail closed: whatever keeps an event from being committed refuses the act it records.
    case AuditErrorCode.Unavailable:
    case AuditErrorCode.Overloaded:
    case AuditErrorCode.ShutDown:
    case AuditErrorCode.Fenced:
    case AuditErrorCode.RolledBack:
    case AuditErrorCode.Forked:
    case AuditErrorCode.KeyUnusable:
    case AuditErrorCode.SinkUnusable:
      return 503;
    // Text JSON cannot carry unambiguously (lone surrogates) is refused rather than recorded altered (RFC 8785).
    case AuditErrorCode.EventInvalid:
      return 400;
    case AuditErrorCode.EventNotFound:
      return 404;
    default:
      return unreachable(code);
  }
}

export function statusForPii(code: PiiErrorCode): number {
  switch (code) {
    case PiiErrorCode.InputTooLong:
      return 413;
    case PiiErrorCode.InvalidPolicy:
    case PiiErrorCode.InvalidRecognizer:
    case PiiErrorCode.AnalysisFailed:
    case PiiErrorCode.AnalysisTimeout:
    case PiiErrorCode.VaultUnavailable:
      return 503;
    default:
      return unreachable(code);
  }
}

export function statusForPolicy(code: PolicyErrorCode): number {
  switch (code) {
    case PolicyErrorCode.BundleInvalid:
    case PolicyErrorCode.SignatureInvalid:
    case PolicyErrorCode.TestFileInvalid:
    case PolicyErrorCode.TimeZoneInvalid:
      return 400;
    case PolicyErrorCode.BundleNotFound:
      return 404;
    default:
      return unreachable(code);
  }
}

function unreachable(code: never): number {
  throw new Error(`no HTTP status for error code ${String(code)}`);
}
