import { readFileSync } from 'node:fs';

/** One labelled sentence of presidio-research's synth_dataset_v2.json. */
export interface LabelledText {
  text: string;
  spans: { type: string; start: number; end: number }[];
  /** The sentence template the record was generated from (records of one template share their wording). */
  templateId?: number;
}

interface RawRecord {
  full_text: string;
  template_id?: number;
  spans: { entity_type: string; start_position: number; end_position: number }[];
}

/**
 * Dataset labels to Presidio entity names, as presidio-research's Presidio wrapper maps them. Labels mapped to
 * `null` are types Presidio (and Attest) do not claim to detect; they are left out of scoring, and predictions that
 * overlap them are neither counted right nor wrong (a LOCATION found inside a street address is not a leak).
 */
export const labelMapping: Record<string, string | null> = {
  PERSON: 'PERSON',
  GPE: 'LOCATION',
  ORGANIZATION: 'ORGANIZATION',
  DATE_TIME: 'DATE_TIME',
  CREDIT_CARD: 'CREDIT_CARD',
  PHONE_NUMBER: 'PHONE_NUMBER',
  EMAIL_ADDRESS: 'EMAIL_ADDRESS',
  DOMAIN_NAME: 'URL',
  IBAN_CODE: 'IBAN_CODE',
  US_SSN: 'US_SSN',
  IP_ADDRESS: 'IP_ADDRESS',
  STREET_ADDRESS: null,
  TITLE: null,
  AGE: null,
  NRP: null,
  ZIP_CODE: null,
  US_DRIVER_LICENSE: null,
};

export function loadPresidioDataset(path: string): { scored: LabelledText[]; ignored: LabelledText[] } {
  const records = JSON.parse(readFileSync(path, 'utf8')) as RawRecord[];
  const scored: LabelledText[] = [];
  const ignored: LabelledText[] = [];
  for (const record of records) {
    const spans = record.spans.map((span) => ({
      type: labelMapping[span.entity_type],
      start: span.start_position,
      end: span.end_position,
    }));
    const templateId = record.template_id;
    scored.push({ text: record.full_text, templateId, spans: spans.flatMap((span) => (span.type ? [{ ...span, type: span.type }] : [])) });
    ignored.push({ text: record.full_text, templateId, spans: spans.flatMap((span) => (span.type ? [] : [{ ...span, type: 'O' }])) });
  }
  return { scored, ignored };
}

/**
 * Halves for a held-out check. Recognizers are tuned by looking only at the `tune` half (even template ids); the
 * `heldOut` half (odd template ids) holds sentence templates never looked at, so cue words cannot leak between the
 * halves as they would with a split by record index (records of one template share their wording). The index halves
 * are reported as well.
 */
export const splits = {
  tune: (record: LabelledText): boolean => (record.templateId ?? 0) % 2 === 0,
  heldOut: (record: LabelledText): boolean => (record.templateId ?? 0) % 2 === 1,
  evenIndex: (_record: LabelledText, index: number): boolean => index % 2 === 0,
  oddIndex: (_record: LabelledText, index: number): boolean => index % 2 === 1,
} as const;

export type SplitName = keyof typeof splits;

/**
 * Texts with no PII in them but with near-misses of structured types: Luhn-invalid card numbers, IBANs with a wrong
 * check digit, order and invoice numbers, version strings, UUIDs, hex digests, build ids, counts grouped in thousands,
 * dates written with spaces. Any finding is a false positive. Generated deterministically.
 */
export function generateNegatives(count: number): string[] {
  let seed = 42;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const digits = (length: number): string => Array.from({ length }, () => Math.floor(random() * 10)).join('');
  const hex = (length: number): string => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
  const luhnInvalidCard = (): string => {
    for (;;) {
      const candidate = `4${digits(15)}`;
      if (!luhn(candidate)) return candidate.replace(/(\d{4})(?=\d)/g, '$1 ');
    }
  };
  const badIban = (): string => {
    // A random check digit is right about once in 97 tries: draw again until it is wrong.
    for (;;) {
      const candidate = `GB${String(10 + Math.floor(random() * 89))}NWBK${digits(14)}`;
      if (!ibanChecksumValid(candidate)) return candidate;
    }
  };
  const templates: (() => string)[] = [
    () => `Your order ${digits(8)} has shipped; the card ending ${luhnInvalidCard()} was declined.`,
    () => `The transfer to ${badIban()} bounced because the account number was mistyped.`,
    () => `Upgrade from version ${Math.floor(random() * 9)}.${Math.floor(random() * 20)}.${Math.floor(random() * 30)}.${Math.floor(random() * 99)} to fix the bug.`,
    () => `Request id ${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)} failed with status 503.`,
    () => `Invoice INV-${digits(6)} totals ${digits(3)}.${digits(2)} EUR for ${Math.floor(random() * 50)} items.`,
    () => `Commit ${hex(40)} fixed the regression in build ${digits(5)}.`,
    () => `Tracking number ${digits(12)} was rejected (checksum mismatch).`,
    () => `Set max_tokens to ${digits(4)} and temperature to 0.${digits(1)} for the summary task.`,
    () => `The SKU ${digits(4)}-${digits(4)} is out of stock in warehouse ${digits(2)}.`,
    () => `Table ${digits(3)} of the report lists ${digits(5)} rows and ${digits(2)} columns.`,
    () => `The stadium sold ${1 + Math.floor(random() * 98)} ${digits(3)} ${digits(3)} tickets over the season.`,
    () => `The backup from ${2000 + Math.floor(random() * 25)} ${String(1 + Math.floor(random() * 12)).padStart(2, '0')} ${String(1 + Math.floor(random() * 28)).padStart(2, '0')} restored cleanly.`,
  ];
  return Array.from({ length: count }, (_, index) => templates[index % templates.length]?.() ?? '');
}

function luhn(value: string): boolean {
  let sum = 0;
  for (let index = 0; index < value.length; index++) {
    let digit = Number(value[value.length - 1 - index]);
    if (index % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** ISO 13616 mod-97 check: the country code and check digits moved to the end, letters as 10..35, remainder 1. */
function ibanChecksumValid(iban: string): boolean {
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of rearranged) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}
