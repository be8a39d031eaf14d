/** The loaded IdentityConfig (a token of its own so providers can inject it without importing the module). */
export const IDENTITY_CONFIG = Symbol.for('attest.IdentityConfig');
