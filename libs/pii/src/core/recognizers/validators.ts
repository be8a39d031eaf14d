import type * as IbanTools from 'ibantools' with { 'resolution-mode': 'import' };
import { type ValidatorName } from '../pii.types';

// ibantools ships CommonJS under its "require" export, but its type declarations sit in a "type": "module" package,
// so TypeScript (module node16) refuses a static import: load the CommonJS build and type it from the declarations.
const { isValidIBAN, electronicFormatIBAN } = require('ibantools') as typeof IbanTools;

const digitsOf = (value: string): string => value.replace(/\D/g, '');

/** Luhn (ISO/IEC 7812-1 annex B) check digit over the digits of `value`; separators are ignored. */
export function isLuhnValid(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length < 2) return false;
  let sum = 0;
  for (let index = 0; index < digits.length; index++) {
    let digit = digits.charCodeAt(digits.length - 1 - index) - 48;
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Modulus 11 with weights 10..2 over the first nine digits, as the NHS number uses (NHS Data Dictionary). */
export function isMod11Valid(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length !== 10) return false;
  let sum = 0;
  for (let index = 0; index < 9; index++) sum += (digits.charCodeAt(index) - 48) * (10 - index);
  const check = 11 - (sum % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === digits.charCodeAt(9) - 48;
}

/** NHS numbers: mod 11, and not one digit repeated (such numbers are used as test fillers). */
export function isUkNhsValid(value: string): boolean {
  const digits = digitsOf(value);
  return isMod11Valid(digits) && !/^(\d)\1{9}$/.test(digits);
}

/** IBAN per ISO 13616: country length, BBAN format and the mod-97 check (ISO 7064). */
export function isIbanValid(value: string): boolean {
  const electronic = electronicFormatIBAN(value);
  return electronic !== null && isValidIBAN(electronic);
}

/**
 * US SSN rules of the Social Security Administration: area 000, 666 and 900-999, group 00 and serial 0000 are never
 * issued; one repeated digit and the advertising number 078-05-1120 are fillers.
 */
export function isUsSsnValid(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length !== 9) return false;
  const area = digits.slice(0, 3);
  if (area === '000' || area === '666' || area.startsWith('9')) return false;
  if (digits.slice(3, 5) === '00' || digits.slice(5) === '0000') return false;
  if (/^(\d)\1{8}$/.test(digits) || digits === '078051120' || digits === '123456789') return false;
  return true;
}

/** An IPv4 dotted quad with every octet in 0..255 and no leading zeros. */
export function isIpv4Valid(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((part) => /^(0|[1-9]\d{0,2})$/.test(part) && Number(part) <= 255);
}

/** Shannon entropy in bits per character; random API tokens score high, words and identifiers low. */
export function shannonEntropy(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let entropy = 0;
  for (const count of counts.values()) {
    const probability = count / value.length;
    entropy -= probability * Math.log2(probability);
  }
  return entropy;
}

/** Validators a custom recognizer may name in configuration. */
export const namedValidators: Record<ValidatorName, (value: string) => boolean> = {
  luhn: isLuhnValid,
  mod11: isMod11Valid,
  iban: isIbanValid,
  ukNhs: isUkNhsValid,
  usSsn: isUsSsnValid,
};
