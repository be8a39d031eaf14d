/** The loaded `policy` config namespace. */
export const POLICY_CONFIG = Symbol.for('attest.PolicyConfig');
