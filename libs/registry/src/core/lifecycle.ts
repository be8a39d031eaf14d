import { RegistryError, RegistryErrorCode } from './registry.errors';

/** draft → approved → active → deprecated → retired (NIST AI RMF GOVERN 1.6: an inventory with a lifecycle). */
export const VERSION_STATUSES = ['draft', 'approved', 'active', 'deprecated', 'retired'] as const;
export type VersionStatus = (typeof VERSION_STATUSES)[number];

/** The role whose holders may approve a version another person registered. */
export const APPROVER_ROLE = 'model-approver';

const allowedNext: Readonly<Record<VersionStatus, readonly VersionStatus[]>> = {
  // A draft can be withdrawn (retired) without ever serving.
  draft: ['approved', 'retired'],
  approved: ['active', 'retired'],
  // A deprecated version may be re-activated (a rollback), until it is retired.
  active: ['deprecated', 'retired'],
  deprecated: ['active', 'retired'],
  retired: [],
};

export function canTransition(from: VersionStatus, to: VersionStatus): boolean {
  return allowedNext[from].includes(to);
}

/** @throws RegistryError INVALID_TRANSITION naming the steps that are allowed */
export function assertTransition(label: string, from: VersionStatus, to: VersionStatus): void {
  if (canTransition(from, to)) return;
  const next = allowedNext[from];
  const allowed = next.length === 0 ? 'nothing: it is final' : next.join(' or ');
  throw new RegistryError(RegistryErrorCode.InvalidTransition, `${label} is ${from}; it cannot become ${to} (allowed: ${allowed})`);
}

/** A version serves when named directly (`name@3`) or by model name if active; deprecated still serves, flagged. */
export function servesDirectly(status: VersionStatus): boolean {
  return status === 'active' || status === 'deprecated';
}

/** An alias may also route to an approved version not yet active: that is how a canary starts. */
export function servesThroughAlias(status: VersionStatus): boolean {
  return status === 'approved' || servesDirectly(status);
}

export interface ApprovalAttempt {
  label: string;
  approverId: string;
  approverRoles: readonly string[];
  registeredBy: string;
}

/**
 * Four-eyes: approval needs the approver role and a person other than the registrant (EU AI Act Art. 14 human
 * oversight; the separation of duties auditors ask for).
 *
 * @throws RegistryError APPROVER_ROLE_REQUIRED or FOUR_EYES_REQUIRED
 */
export function assertCanApprove(attempt: ApprovalAttempt): void {
  if (!attempt.approverRoles.includes(APPROVER_ROLE)) {
    throw new RegistryError(RegistryErrorCode.ApproverRoleRequired, `${attempt.approverId} does not hold the ${APPROVER_ROLE} role needed to approve ${attempt.label}`);
  }
  if (attempt.approverId === attempt.registeredBy) {
    throw new RegistryError(
      RegistryErrorCode.FourEyesRequired,
      `${attempt.approverId} registered ${attempt.label}; another person holding ${APPROVER_ROLE} must approve it (four-eyes)`,
    );
  }
}
