import { defineConfig } from '@attest/config';
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { type CustomRecognizerDefinition, type PiiEngineOptions } from './pii.types';
import { defaultPhoneRegions } from './recognizers/phone.recognizer';

const regionList = z
  .string()
  .default(defaultPhoneRegions.join(','))
  .transform((value) => value.split(',').map((region) => region.trim().toUpperCase()).filter(Boolean))
  .refine((regions) => regions.length > 0, 'expected at least one region')
  .refine((regions) => regions.every((region) => isSupportedCountry(region)), 'expected ISO 3166 alpha-2 regions such as US,GB');

const customRecognizers = z
  .string()
  .optional()
  .transform((value, context): unknown => {
    if (value === undefined) return [];
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'expected a JSON array' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .array(
        z.object({
          type: z.string().regex(/^[A-Z][A-Z0-9_]{0,63}$/, 'type must be UPPER_SNAKE_CASE'),
          pattern: z.string().min(1).max(1000),
          flags: z.string().regex(/^[imsu]*$/).optional(),
          score: z.number().gt(0).max(1).optional(),
          validator: z.enum(['luhn', 'mod11', 'iban', 'ukNhs', 'usSsn']).optional(),
          context: z.array(z.string().min(1).max(40)).max(50).optional(),
        }),
      )
      .max(100),
  );

/** The `pii` namespace: phone regions, score threshold, bounds, the named-entity recognizer, custom recognizers. */
export const piiConfig = defineConfig('pii', {
  defaultRegions: {
    env: 'ATTEST_PII_DEFAULT_REGIONS',
    schema: regionList,
    description: `comma-separated ISO 3166 regions whose national phone formats are recognised (default ${defaultPhoneRegions.join(',')})`,
  },
  minScore: {
    env: 'ATTEST_PII_MIN_SCORE',
    schema: z.coerce.number().min(0).max(1).default(0.4),
    description: 'findings scoring below this are ignored (0..1, default 0.4)',
  },
  maxInputLength: {
    env: 'ATTEST_PII_MAX_INPUT_CHARS',
    schema: z.coerce.number().int().min(1_000).max(10_000_000).default(1_000_000),
    description: 'longest text analysed, in characters; longer requests are refused (1000..10000000, default 1000000)',
  },
  timeBudgetMs: {
    env: 'ATTEST_PII_TIME_BUDGET_MS',
    schema: z.coerce.number().int().min(10).max(60_000).default(2_000),
    description: 'milliseconds one analysis may take before the request is refused (10..60000, default 2000)',
  },
  ner: {
    env: 'ATTEST_PII_NER',
    schema: z.enum(['compromise', 'none']).default('compromise'),
    description: 'named-entity recognizer for PERSON, LOCATION, ORGANIZATION: compromise (default) or none',
  },
  nerCacheEntries: {
    env: 'ATTEST_PII_NER_CACHE_ENTRIES',
    schema: z.coerce.number().int().min(0).max(1_000_000).default(4_096),
    description: 'message pieces whose named-entity findings are remembered by SHA-256 digest, so a resent system prompt or earlier turn is not tagged again (0..1000000, default 4096; 0: none)',
  },
  streamHoldback: {
    env: 'ATTEST_PII_STREAM_HOLDBACK',
    schema: z.coerce.number().int().min(16).max(1_024).default(64),
    description: 'characters a streamed answer is held back so an entity split across chunks is caught (16..1024, default 64)',
  },
  customRecognizers: {
    env: 'ATTEST_PII_CUSTOM_RECOGNIZERS',
    schema: customRecognizers,
    description: 'JSON array of {type, pattern, flags?, score?, validator?, context?} recognizers (optional)',
  },
});

export type PiiConfig = ReturnType<typeof piiConfig.load>;

/**
 * Engine options from the loaded namespace.
 *
 * @example
 * const engine = createPiiEngine(piiEngineOptions(piiConfig.load()));
 */
export function piiEngineOptions(config: PiiConfig): PiiEngineOptions {
  return {
    defaultRegions: config.defaultRegions,
    minScore: config.minScore,
    maxInputLength: config.maxInputLength,
    timeBudgetMs: config.timeBudgetMs,
    nerCacheEntries: config.nerCacheEntries,
    customRecognizers: config.customRecognizers as CustomRecognizerDefinition[],
    streamLimits: { holdback: config.streamHoldback, context: config.streamHoldback },
    ...(config.ner === 'none' ? { ner: null } : {}),
  };
}
