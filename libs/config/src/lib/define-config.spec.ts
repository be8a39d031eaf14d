import { z } from 'zod';
import { ConfigError } from './config.error';
import { defineConfig, describeConfig } from './define-config';
import { booleanFlag, postgresUrl, tcpPort } from './schemas';

const sut = defineConfig('example', {
  port: { env: 'PORT', schema: tcpPort.default(8080), description: 'HTTP port' },
  verbose: { env: 'VERBOSE', schema: booleanFlag.default(false), description: 'true or false' },
  url: { env: 'DB_URL', schema: postgresUrl.optional(), description: 'a postgres URL', sensitive: true },
  mode: { env: 'MODE', schema: z.enum(['a', 'b']).default('a'), description: 'a or b' },
});

describe(defineConfig.name, () => {
  it('applies defaults when variables are unset or empty', () => {
    expect(sut.load({ PORT: '' })).toEqual({ port: 8080, verbose: false, url: undefined, mode: 'a' });
  });

  it('coerces and validates set values', () => {
    expect(sut.load({ PORT: '9000', VERBOSE: 'yes', DB_URL: 'postgres://u@h:5432/d', MODE: 'b' })).toEqual({
      port: 9000,
      verbose: true,
      url: 'postgres://u@h:5432/d',
      mode: 'b',
    });
  });

  it('names every wrong variable and what is allowed in one error', () => {
    let caught: unknown;
    try {
      sut.load({ PORT: '99999', MODE: 'c' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const message = (caught as ConfigError).message;
    expect(message).toContain('PORT="99999" is not allowed');
    expect(message).toContain('Expected: HTTP port');
    expect(message).toContain('MODE="c"');
    expect((caught as ConfigError).problems).toHaveLength(2);
  });

  it('never echoes a secret value back', () => {
    expect(() => sut.load({ DB_URL: 'mysql://root:hunter2@x/y' })).toThrow(/DB_URL=<redacted>/);
    expect(() => sut.load({ DB_URL: 'mysql://root:hunter2@x/y' })).not.toThrow(/hunter2/);
  });

  it('masks secrets when describing the configuration', () => {
    const rows = describeConfig(sut, { DB_URL: 'postgres://u:secret@h/d', PORT: '1' });
    expect(rows.find((row) => row.env === 'DB_URL')?.value).toBe('<redacted>');
    expect(rows.find((row) => row.env === 'PORT')?.value).toBe('1');
  });
});
