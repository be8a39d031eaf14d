import { createServer, type Server, type Socket } from 'node:net';
import { DatabaseError, DatabaseErrorCode } from './db.errors';
import { openDatabase, redactUrl } from './database-connection';
import { findFreePort } from './free-port';

const baseConfig = { dataDir: '.unused', embeddedPort: 0, poolSize: 1, connectTimeoutMs: 1_000 };

describe(openDatabase.name, () => {
  it('fails fast with DB_UNREACHABLE when nothing listens at DATABASE_URL', async () => {
    const port = await findFreePort();
    const error = await openDatabase({ ...baseConfig, url: `postgres://postgres:pw@127.0.0.1:${port}/x` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect((error as DatabaseError).code).toBe(DatabaseErrorCode.Unreachable);
    expect((error as DatabaseError).message).toContain('connection refused');
    expect((error as DatabaseError).message).not.toContain(':pw@');
  });

  it('gives up within the connect timeout when the server accepts but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const started = Date.now();
    try {
      const error = await openDatabase({ ...baseConfig, url: `postgres://postgres@127.0.0.1:${port}/x` }).catch((e: unknown) => e);
      expect((error as DatabaseError).code).toBe(DatabaseErrorCode.Unreachable);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      silent.close();
    }
  });
});

describe(redactUrl.name, () => {
  it('masks the password and keeps the rest', () => {
    expect(redactUrl('postgres://u:secret@h:5432/d')).toBe('postgres://u:***@h:5432/d');
    expect(redactUrl('not a url')).toBe('<unparseable URL>');
  });
});
