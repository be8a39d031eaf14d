import { describeError } from './describe-error';

class CodedError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

describe(describeError.name, () => {
  it('gives a coded error one line with its code', () => {
    expect(describeError(new CodedError('DB_UNREACHABLE', 'cannot connect'))).toBe('[DB_UNREACHABLE] cannot connect');
  });

  it('keeps the stack of an error without a stable code', () => {
    const error = new CodedError('not a code', 'boom');
    expect(describeError(error)).toContain('at ');
    expect(describeError(new Error('plain'))).toContain('plain');
  });

  it('prints what was thrown when it is not an error', () => {
    expect(describeError('text')).toBe('text');
  });
});
