import { isIbanValid, isIpv4Valid, isLuhnValid, isMod11Valid, isUkNhsValid, isUsSsnValid, shannonEntropy } from './validators';

describe('validators', () => {
  it.each([
    ['4111 1111 1111 1111', true],
    ['4111-1111-1111-1112', false],
    ['378282246310005', true],
    ['0', false],
  ])('isLuhnValid(%j) is %s', (value, expected) => {
    expect(isLuhnValid(value)).toBe(expected);
  });

  it.each([
    ['943 476 5919', true],
    ['943 476 5918', false],
    ['1111111111', true],
  ])('isMod11Valid(%j) is %s', (value, expected) => {
    expect(isMod11Valid(value)).toBe(expected);
  });

  it('rejects NHS numbers that repeat one digit even though mod 11 passes', () => {
    expect(isUkNhsValid('1111111111')).toBe(false);
    expect(isUkNhsValid('9434765919')).toBe(true);
  });

  it.each([
    ['GB82 WEST 1234 5698 7654 32', true],
    ['gb82west12345698765432', true],
    ['GB83 WEST 1234 5698 7654 32', false],
    ['XX82WEST12345698765432', false],
  ])('isIbanValid(%j) is %s', (value, expected) => {
    expect(isIbanValid(value)).toBe(expected);
  });

  it.each([
    ['536-90-4399', true],
    ['000-12-3456', false],
    ['666-12-3456', false],
    ['912-12-3456', false],
    ['536-00-4399', false],
    ['536-90-0000', false],
    ['111-11-1111', false],
    ['078-05-1120', false],
  ])('isUsSsnValid(%j) is %s', (value, expected) => {
    expect(isUsSsnValid(value)).toBe(expected);
  });

  it.each([
    ['192.168.0.1', true],
    ['256.1.1.1', false],
    ['01.2.3.4', false],
    ['1.2.3', false],
  ])('isIpv4Valid(%j) is %s', (value, expected) => {
    expect(isIpv4Valid(value)).toBe(expected);
  });

  it('scores random tokens above words and repeated characters', () => {
    expect(shannonEntropy('aaaaaaaa')).toBe(0);
    expect(shannonEntropy('q8Zr2LmX9vT4kP7wN3bY6cH1dF5gJ0sQ')).toBeGreaterThan(4.5);
    expect(shannonEntropy('configurationconfiguration')).toBeLessThan(3.5);
  });
});
