import { Client } from 'pg';
import { QueryFailedError } from 'typeorm';
import { isDatabaseUnavailable } from './database-availability';
import { findFreePort } from './free-port';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe(isDatabaseUnavailable.name, () => {
  it('recognises a refused connection from a real client', async () => {
    const client = new Client({ host: '127.0.0.1', port: await findFreePort(), connectionTimeoutMillis: 2000 });
    const error = await client.connect().then(() => undefined, (caught: unknown) => caught);
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['admin shutdown', withCode('57P01')],
    ['starting up', withCode('57P03')],
    ['disk full', withCode('53100')],
    ['read-only transaction', withCode('25006')],
    ['connection failure', withCode('08006')],
    ['I/O error', withCode('58030')],
    ['reset socket', withCode('ECONNRESET')],
    ['lost session', new Error('Connection terminated unexpectedly')],
    ['wrapped by TypeORM', new QueryFailedError('SELECT 1', [], withCode('57P01'))],
    ['in a cause chain', new Error('outer', { cause: withCode('ECONNREFUSED') })],
  ])('is true for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a syntax error', withCode('42601')],
    ['a unique violation', withCode('23505')],
    ['a permission error', withCode('42501')],
    ['a plain bug', new TypeError('x is not a function')],
    ['a non-error', 'Connection terminated'],
  ])('is false for %s', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
