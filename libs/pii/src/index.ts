// Public API of @attest/pii: the pure core (no NestJS, no TypeORM).
export { countFindings, resolveOverlaps } from './core/analysis/overlap-resolver';
export { validatePolicy } from './core/operators/apply-operators';
export { PseudonymVault } from './core/operators/pseudonym-vault';
export { createPiiEngine, type PiiEngine } from './core/pii-engine';
export { piiConfig, piiEngineOptions, type PiiConfig } from './core/pii.config';
export { PiiError, PiiErrorCode } from './core/pii.errors';
export type {
  AnalyzeOptions,
  AppliedOperator,
  CustomRecognizerDefinition,
  NamedEntityRecognizer,
  OperatorPolicy,
  PiiEngineOptions,
  PiiFinding,
  PiiOperator,
  Recognizer,
  RecognizerContext,
  ValidatorName,
} from './core/pii.types';
export { CompromiseNamedEntityRecognizer } from './core/recognizers/compromise.ner';
export { defaultPhoneRegions } from './core/recognizers/phone.recognizer';
export { PatternRecognizer, type PatternSpec, type PatternVerdict } from './core/recognizers/pattern-recognizer';
export { assertNoNestedQuantifiers } from './core/recognizers/regex-safety';
export { scanJsonLines, scanOperator, type ScanOptions } from './core/scan/scan-json-lines';
export { defaultStreamLimits, StreamRedactor, type StreamLimits } from './core/stream/stream-redactor';
