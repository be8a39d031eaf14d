import { startTestGateway, type GatewayHarness } from '../../test/gateway-harness';
import { HealthController } from './health.controller';

describe(HealthController.name, () => {
  let sut: GatewayHarness;
  beforeAll(async () => {
    sut = await startTestGateway();
  });
  afterAll(() => sut.close());

  it('answers liveness with JSON', async () => {
    const response = await sut.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'ok', version: expect.any(String) });
  });

  it('reports ready when the database answers and the schema is current', async () => {
    const response = await sut.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: expect.arrayContaining([
        expect.objectContaining({ name: 'database', ok: true }),
        expect.objectContaining({ name: 'migrations', ok: true }),
      ]),
    });
  });

  it('reports not ready with 503 when a migration is missing from the database', async () => {
    const [last] = await sut.db.dataSource.query('SELECT id, timestamp, name FROM attest_migrations ORDER BY id DESC LIMIT 1');
    await sut.db.dataSource.query('DELETE FROM attest_migrations WHERE id = $1', [last.id]);
    try {
      const response = await sut.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().checks).toContainEqual(expect.objectContaining({ name: 'migrations', ok: false }));
    } finally {
      await sut.db.dataSource.query('INSERT INTO attest_migrations (id, timestamp, name) VALUES ($1, $2, $3)', [last.id, last.timestamp, last.name]);
    }
  });

  it('reports the built-in model as loadable', async () => {
    const response = await sut.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.json().checks).toContainEqual(expect.objectContaining({ name: 'models', ok: true, detail: expect.stringContaining('stories260k') }));
  });
});
