import { PiiError, PiiErrorCode } from '../pii.errors';
import { type CustomRecognizerDefinition, type Recognizer } from '../pii.types';
import { dateTimeRecognizer } from './date.recognizers';
import {
  creditCardRecognizer,
  emailRecognizer,
  ibanRecognizer,
  ipAddressRecognizer,
  ukNhsRecognizer,
  ukNinoRecognizer,
  urlRecognizer,
  usSsnRecognizer,
} from './identifier.recognizers';
import { PatternRecognizer } from './pattern-recognizer';
import { PhoneRecognizer } from './phone.recognizer';
import { secretRecognizer } from './secret.recognizers';
import { namedValidators } from './validators';

/** The pattern recognizers every engine runs; phone and named entities are added by the engine. */
export const builtinPatternRecognizers: readonly PatternRecognizer[] = [
  emailRecognizer,
  creditCardRecognizer,
  ibanRecognizer,
  usSsnRecognizer,
  ukNinoRecognizer,
  ukNhsRecognizer,
  ipAddressRecognizer,
  urlRecognizer,
  dateTimeRecognizer,
  secretRecognizer,
];

export function createPhoneRecognizer(regions?: readonly string[]): Recognizer {
  return new PhoneRecognizer(regions);
}

/**
 * Builds a recognizer from configuration. The pattern must compile and must not nest unbounded quantifiers; the
 * validator must be one of the built-in ones.
 *
 * @example
 * customRecognizer({ type: 'EMPLOYEE_ID', pattern: '\\bE\\d{6}\\b', context: ['employee'] });
 */
export function customRecognizer(definition: CustomRecognizerDefinition): PatternRecognizer {
  const name = `custom:${definition.type}`;
  if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(definition.type)) {
    throw new PiiError(PiiErrorCode.InvalidRecognizer, `${name}: type must be UPPER_SNAKE_CASE`);
  }
  let regex: RegExp;
  try {
    regex = new RegExp(definition.pattern, `g${(definition.flags ?? '').replace(/g/g, '')}`);
  } catch {
    throw new PiiError(PiiErrorCode.InvalidRecognizer, `${name}: pattern does not compile`);
  }
  const validator = definition.validator === undefined ? undefined : namedValidators[definition.validator];
  if (definition.validator !== undefined && !validator) {
    throw new PiiError(PiiErrorCode.InvalidRecognizer, `${name}: unknown validator ${JSON.stringify(definition.validator)}`);
  }
  const score = definition.score ?? 0.5;
  if (!(score > 0 && score <= 1)) throw new PiiError(PiiErrorCode.InvalidRecognizer, `${name}: score must be in (0, 1]`);
  return new PatternRecognizer(
    name,
    [{ type: definition.type, regex, score, validate: validator }],
    (definition.context ?? []).map((word) => word.toLowerCase()),
  );
}
