import { readFileSync } from 'node:fs';

/** One labelled sentence of presidio-research's synth_dataset_v2.json. */
export interface LabelledText {
  text: string;
  spans: { type: string; start: number; end: number }[];
}

interface RawRecord {
  full_text: string;
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
    scored.push({ text: record.full_text, spans: spans.flatMap((span) => (span.type ? [{ ...span, type: span.type }] : [])) });
    ignored.push({ text: record.full_text, spans: spans.flatMap((span) => (span.type ? [] : [{ ...span, type: 'O' }])) });
  }
  return { scored, ignored };
}

/**
 * Texts with no PII in them but with near-misses of structured types: Luhn-invalid card numbers, IBANs with a wrong
 * check digit, order and invoice numbers, version strings, UUIDs, hex digests, build ids. Any finding is a false
 * positive. Generated deterministically.
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
  const badIban = (): string => `GB${String(10 + Math.floor(random() * 89))}NWBK${digits(14)}`;
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
