import { type StreamLimits } from './stream/stream-redactor';

/**
 * One piece of personal data found in a text. Offsets are UTF-16 code units (JavaScript string indices), `end`
 * exclusive; `type` uses Presidio's entity names (PERSON, EMAIL_ADDRESS, ...) so results compare with Presidio's.
 */
export interface PiiFinding {
  type: string;
  start: number;
  end: number;
  /** Confidence in 0..1 after validation and context. */
  score: number;
  /** Name of the recognizer that produced it (never the value itself). */
  recognizer: string;
}

/** What to do with a finding of one entity type. */
export type PiiOperator =
  | { operator: 'redact' }
  | { operator: 'mask'; keepLast?: number; char?: string }
  | { operator: 'replace' }
  | { operator: 'hash'; key: Buffer | string }
  | { operator: 'pseudonymise' }
  | { operator: 'keep' };

/** Operator per entity type; `'*'` applies to every type not named. */
export type OperatorPolicy = Record<string, PiiOperator>;

/** One transformation that was applied (type and operator only: values never leave the engine). */
export interface AppliedOperator {
  type: string;
  operator: PiiOperator['operator'];
}

/** Options of one analysis call. */
export interface AnalyzeOptions {
  /** Only these entity types (default: every type the engine knows). */
  entities?: string[];
  /** Findings scoring below this are dropped (default: the engine's minScore). */
  minScore?: number;
}

/** Everything a recognizer needs to scan a text. */
export interface RecognizerContext {
  /** Types asked for; a recognizer may skip work when none of its types is wanted. */
  readonly entities: ReadonlySet<string> | undefined;
  /** Throws PII_ANALYSIS_TIMEOUT once the time budget is spent; long-running recognizers call it as they go. */
  readonly checkDeadline?: () => void;
}

/** A source of findings: a pattern, a checksum-validated number, a phone parser, a named-entity model. */
export interface Recognizer {
  readonly name: string;
  /** Entity types this recognizer can emit. */
  readonly supportedEntities: readonly string[];
  /** Words that, near a finding, raise its score (lower-case). */
  readonly contextWords?: readonly string[];
  analyze(text: string, context: RecognizerContext): PiiFinding[];
}

/**
 * A named-entity recognizer for PERSON, LOCATION and ORGANIZATION. The built-in one uses compromise; an operator can
 * mount a model (e.g. a token-classification network) by implementing this interface.
 */
export interface NamedEntityRecognizer {
  readonly name: string;
  readonly supportedEntities: readonly string[];
  recognize(text: string): PiiFinding[];
}

/** A recognizer described by configuration: a pattern, an optional validator, context words. */
export interface CustomRecognizerDefinition {
  /** Entity type it emits, e.g. `EMPLOYEE_ID`. */
  type: string;
  /** Regular-expression source; checked for catastrophic backtracking before use. */
  pattern: string;
  /** Extra flags (`i`, `u`); `g` is always added. */
  flags?: string;
  /** Base score (default 0.5). */
  score?: number;
  /** Name of a built-in validator the match must pass. */
  validator?: ValidatorName;
  /** Words that raise the score when they appear near a match. */
  context?: string[];
}

/** Built-in checksum validators a custom recognizer can name. */
export type ValidatorName = 'luhn' | 'mod11' | 'iban' | 'ukNhs' | 'usSsn';

/** Options of {@link createPiiEngine}. */
export interface PiiEngineOptions {
  /** ISO 3166 regions used to read national phone numbers (default Presidio's: US, GB, DE, FR, IL, IN, CA, BR). */
  defaultRegions?: string[];
  /** Findings below this score are dropped (default 0.4). */
  minScore?: number;
  /** Recognizers defined in configuration. */
  customRecognizers?: CustomRecognizerDefinition[];
  /** Extra recognizers supplied as code. */
  recognizers?: Recognizer[];
  /** Named-entity recognizer; `null` disables PERSON/LOCATION/ORGANIZATION (default: compromise). */
  ner?: NamedEntityRecognizer | null;
  /** Pieces whose named-entity findings are remembered (by digest, least recently used dropped; default 4,096; 0: none). */
  nerCacheEntries?: number;
  /** Longest text analyze accepts, in UTF-16 code units (default 1,000,000). */
  maxInputLength?: number;
  /** Analysis taking longer than this fails with PII_ANALYSIS_TIMEOUT (default 2,000 ms). */
  timeBudgetMs?: number;
  /** Hold-back window of stream redactors (defaults: `defaultStreamLimits`). */
  streamLimits?: Partial<StreamLimits>;
  /** Clock for the time budget (tests). */
  now?: () => number;
}
