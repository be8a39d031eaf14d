import { z } from 'zod';

/** Parses `true/false/1/0/yes/no` as environment variables spell booleans. */
export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const tcpPort = z.coerce
  .number({ message: 'expected a number' })
  .int('expected a whole number')
  .min(0, 'expected 0..65535')
  .max(65535, 'expected 0..65535');

export const postgresUrl = z
  .string()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'expected a postgres:// or postgresql:// URL')
  .refine((value) => {
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  }, 'expected a well-formed URL');
