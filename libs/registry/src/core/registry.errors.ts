/** Stable codes for everything the registry refuses; the gateway maps them to HTTP in one place. */
export enum RegistryErrorCode {
  /** No model, version or alias of that name in the tenant. */
  ModelNotFound = 'MODEL_NOT_FOUND',
  /** The alias to change or roll back does not exist. */
  AliasNotFound = 'ALIAS_NOT_FOUND',
  /** The model exists but no version of it may serve now (draft, retired, nothing active). */
  NotServable = 'NOT_SERVABLE',
  /** Approving needs the `model-approver` role. */
  ApproverRoleRequired = 'APPROVER_ROLE_REQUIRED',
  /** The approver registered the version: a second person must approve (four-eyes). */
  FourEyesRequired = 'FOUR_EYES_REQUIRED',
  /** An approved version's defining fields cannot change; register a new version instead. */
  Immutable = 'IMMUTABLE',
  /** The lifecycle does not allow this step from the version's current status. */
  InvalidTransition = 'INVALID_TRANSITION',
  /** That model already has this version number. */
  DuplicateVersion = 'DUPLICATE_VERSION',
  /** An alias may only route to approved, active or deprecated versions. */
  AliasTargetNotServable = 'ALIAS_TARGET_NOT_SERVABLE',
  /** The version is still a target of an alias; change the alias first. */
  VersionInUse = 'VERSION_IN_USE',
  /** The alias has no earlier revision to roll back to. */
  NothingToRollBack = 'NOTHING_TO_ROLL_BACK',
  /** The weights file on disk is not the one the registry approved. */
  IntegrityMismatch = 'INTEGRITY_MISMATCH',
  /** The weights file is missing or unreadable. */
  FileUnavailable = 'FILE_UNAVAILABLE',
  /** Not a GGUF file, truncated, or hostile (lengths beyond the file or beyond sane limits). */
  InvalidGguf = 'INVALID_GGUF',
  /** A malformed request: bad name, version, weights or source. */
  InvalidInput = 'INVALID_INPUT',
}

/** The HTTP status each code suggests; the gateway's error filter owns the final mapping. */
export function httpStatusForRegistryError(code: RegistryErrorCode): number {
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
    default: {
      const unreachable: never = code;
      return unreachable;
    }
  }
}

/**
 * What the registry throws. `code` is stable; `message` says what to do and is safe to show to an operator.
 *
 * @example
 * throw new RegistryError(RegistryErrorCode.FourEyesRequired, 'alice registered stories260k@2; another approver must approve it');
 */
export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RegistryError';
  }

  get httpStatus(): number {
    return httpStatusForRegistryError(this.code);
  }
}
