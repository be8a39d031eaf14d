import { PatternRecognizer, type PatternVerdict } from './pattern-recognizer';

const months =
  'January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec';
const weekdays = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';

function validCalendarDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 && year >= 1000 && year <= 2999;
}

/** `2024-03-05` and ISO 8601 date-times; the calendar fields must be in range. */
function validIso(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  return validCalendarDate(year ?? 0, month ?? 0, day ?? 0);
}

/** `05/03/2024`, `3.5.24`: either day-first or month-first must be a date. */
function validNumeric(value: string): PatternVerdict {
  const [first = 0, second = 0, rawYear = 0] = value.split(/[/.-]/).map(Number);
  const year = rawYear < 100 ? 2000 + rawYear : rawYear;
  return validCalendarDate(year, second, first) || validCalendarDate(year, first, second);
}

/**
 * Dates and times in the forms English prose and logs use; Presidio maps spaCy's DATE and TIME here. Relative dates
 * ("next week") identify nobody and are left alone.
 */
export const dateTimeRecognizer = new PatternRecognizer(
  'date-time',
  [
    {
      type: 'DATE_TIME',
      regex: /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?\b/g,
      score: 0.85,
      validate: validIso,
    },
    { type: 'DATE_TIME', regex: /(?<![\d.])\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?![\d.]\d|-\d)/g, score: 0.6, validate: validNumeric },
    {
      type: 'DATE_TIME',
      regex: new RegExp(
        `\\b(?:(?:${weekdays}),? )?(?:\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:${months})\\.?,? \\d{4}|(?:${months})\\.? \\d{1,2}(?:st|nd|rd|th)?(?:,? \\d{4})?|\\d{1,2}(?:st|nd|rd|th)? (?:of )?(?:${months})\\b|(?:${months}),? \\d{4})\\b`,
        'g',
      ),
      score: 0.85,
    },
    { type: 'DATE_TIME', regex: new RegExp(`\\b(?:${weekdays})s?\\b`, 'g'), score: 0.6 },
    {
      type: 'DATE_TIME',
      regex: /\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?: ?[AaPp]\.?[Mm]\.?)?(?![\d:])/g,
      score: 0.5,
    },
    { type: 'DATE_TIME', regex: /\b(?:1[0-2]|0?[1-9]) ?[AaPp]\.?[Mm]\b\.?/g, score: 0.5 },
    { type: 'DATE_TIME', regex: /\b(?:1[89]\d{2}|20\d{2})s?\b/g, score: 0.45 },
  ],
  ['date', 'born', 'birthday', 'dob', 'since', 'when', 'time', 'year', 'on', 'at'],
);
