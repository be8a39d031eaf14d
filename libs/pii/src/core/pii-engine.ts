import { enhanceWithContext } from './analysis/context-enhancer';
import { NamedEntityCache, namedEntityRecognizer } from './analysis/ner-chunks';
import { resolveOverlaps } from './analysis/overlap-resolver';
import { applyOperators, validatePolicy } from './operators/apply-operators';
import { PseudonymVault } from './operators/pseudonym-vault';
import { PiiError, PiiErrorCode } from './pii.errors';
import {
  type AnalyzeOptions,
  type AppliedOperator,
  type OperatorPolicy,
  type PiiEngineOptions,
  type PiiFinding,
  type Recognizer,
} from './pii.types';
import { CompromiseNamedEntityRecognizer } from './recognizers/compromise.ner';
import { builtinPatternRecognizers, createPhoneRecognizer, customRecognizer } from './recognizers/builtin-recognizers';
import { defaultStreamLimits, StreamRedactor } from './stream/stream-redactor';

/** The PII engine the gateway calls: analysis, operators, and a streaming redactor. */
export interface PiiEngine {
  /** Entity types this engine can report. */
  readonly supportedEntities: readonly string[];
  /** Finds PII; throws {@link PiiError} (never returns a partial result) when analysis fails or runs out of time. */
  analyze(text: string, options?: AnalyzeOptions): PiiFinding[];
  /** Applies the policy to findings from {@link analyze}; overlaps are resolved, values never logged. */
  transform(
    text: string,
    findings: PiiFinding[],
    policy: OperatorPolicy,
    vault?: PseudonymVault,
  ): { text: string; applied: AppliedOperator[] };
  /** A redactor for one streamed answer: `push(chunk)` returns the text safe to emit now, `flush()` the rest. */
  createStreamRedactor(policy: OperatorPolicy, vault?: PseudonymVault, options?: AnalyzeOptions): StreamRedactor;
}

const defaults = { minScore: 0.4, maxInputLength: 1_000_000, timeBudgetMs: 2_000, nerCacheEntries: 4_096 };

/**
 * Builds an engine. Construction validates every custom recognizer and phone region, so a bad configuration fails at
 * boot rather than on a request.
 *
 * @example
 * const engine = createPiiEngine({ defaultRegions: ['GB'], minScore: 0.5 });
 * const findings = engine.analyze('Call Alice on 07700 900123');
 * const { text } = engine.transform('Call Alice on 07700 900123', findings, { '*': { operator: 'replace' } });
 * // 'Call <PERSON_1> on <PHONE_NUMBER_1>'
 */
export function createPiiEngine(options: PiiEngineOptions = {}): PiiEngine {
  const ner = options.ner === undefined ? new CompromiseNamedEntityRecognizer() : options.ner;
  const recognizers: Recognizer[] = [
    ...builtinPatternRecognizers,
    createPhoneRecognizer(options.defaultRegions),
    ...(options.customRecognizers ?? []).map(customRecognizer),
    ...(options.recognizers ?? []),
    ...(ner ? [namedEntityRecognizer(ner, new NamedEntityCache(options.nerCacheEntries ?? defaults.nerCacheEntries))] : []),
  ];
  const contextWords = new Map(recognizers.map((recognizer) => [recognizer.name, new Set(recognizer.contextWords ?? [])]));
  const supportedEntities = [...new Set(recognizers.flatMap((recognizer) => recognizer.supportedEntities))];
  const minScore = options.minScore ?? defaults.minScore;
  const maxInputLength = options.maxInputLength ?? defaults.maxInputLength;
  const timeBudgetMs = options.timeBudgetMs ?? defaults.timeBudgetMs;
  const streamLimits = { ...defaultStreamLimits, ...options.streamLimits };
  const now = options.now ?? ((): number => performance.now());

  const analyze = (text: string, analyzeOptions: AnalyzeOptions = {}): PiiFinding[] => {
    if (text.length > maxInputLength) {
      throw new PiiError(PiiErrorCode.InputTooLong, `text of ${text.length} characters exceeds the ${maxInputLength} limit`);
    }
    const entities = analyzeOptions.entities ? new Set(analyzeOptions.entities) : undefined;
    const deadline = now() + timeBudgetMs;
    const checkDeadline = (): void => {
      if (now() > deadline) {
        throw new PiiError(PiiErrorCode.AnalysisTimeout, `analysis exceeded its ${timeBudgetMs} ms budget`);
      }
    };
    const raw: PiiFinding[] = [];
    for (const recognizer of recognizers) {
      try {
        raw.push(...recognizer.analyze(text, { entities, checkDeadline }));
      } catch (error) {
        if (error instanceof PiiError) throw error;
        // The cause is dropped on purpose: a recognizer's error message may quote the text it was reading.
        throw new PiiError(PiiErrorCode.AnalysisFailed, `recognizer ${recognizer.name} failed`);
      }
      checkDeadline();
    }
    const threshold = analyzeOptions.minScore ?? minScore;
    const scored = enhanceWithContext(text, raw, contextWords).filter(
      (finding) => finding.score >= threshold && (!entities || entities.has(finding.type)),
    );
    return resolveOverlaps(scored);
  };

  return {
    supportedEntities,
    analyze,
    transform(text, findings, policy, vault) {
      validatePolicy(policy);
      return applyOperators(text, findings, policy, vault ?? new PseudonymVault());
    },
    createStreamRedactor(policy, vault, analyzeOptions) {
      validatePolicy(policy);
      // Without a wildcard only the named types are transformed, so only they need looking for.
      const entities = analyzeOptions?.entities ?? ('*' in policy ? undefined : Object.keys(policy));
      return new StreamRedactor(
        (window) => analyze(window, { ...analyzeOptions, entities }),
        policy,
        vault ?? new PseudonymVault(),
        streamLimits,
      );
    },
  };
}
