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

  it('reports not ready with 503 when a migration is missing', async () => {
    await sut.db.dataSource.undoLastMigration();
    try {
      const response = await sut.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json().checks).toContainEqual(expect.objectContaining({ name: 'migrations', ok: false }));
    } finally {
      await sut.db.dataSource.runMigrations();
    }
  });
});
