/** The {@link PiiEngine} built from the `pii` configuration namespace. */
export const PII_ENGINE = Symbol.for('attest.PiiEngine');
/** The loaded `pii` config namespace. */
export const PII_CONFIG = Symbol.for('attest.PiiConfig');
