import { randomUUID } from 'node:crypto';
import { generateDataKey, openContent, sealContent, subjectReference, unwrapDataKey, wrapDataKey } from './sealed-content';

describe('sealed raw content (crypto-shredding)', () => {
  const kek = generateDataKey();
  const tenant = 'hospital-a';

  it('round-trips raw text under a data subject key, through a wrapped key', () => {
    const keyId = randomUUID();
    const dataKey = generateDataKey();
    const wrapped = wrapDataKey(kek, dataKey, tenant, keyId);
    const sealed = sealContent(dataKey, tenant, keyId, { prompt: 'Patient Jane Roe, MRN 12345', response: 'Noted.' });
    expect(sealed.ciphertext).not.toContain('Jane');
    expect(openContent(unwrapDataKey(kek, wrapped, tenant, keyId), tenant, sealed)).toEqual({ prompt: 'Patient Jane Roe, MRN 12345', response: 'Noted.' });
  });

  it('cannot be opened with another subject key, another tenant, or altered bytes', () => {
    const keyId = randomUUID();
    const dataKey = generateDataKey();
    const sealed = sealContent(dataKey, tenant, keyId, { prompt: 'secret' });
    expect(() => openContent(generateDataKey(), tenant, sealed)).toThrow();
    expect(() => openContent(dataKey, 'hospital-b', sealed)).toThrow();
    const flipped = Buffer.from(sealed.ciphertext, 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => openContent(dataKey, tenant, { ...sealed, ciphertext: flipped.toString('base64url') })).toThrow();
    expect(() => openContent(dataKey, tenant, { ...sealed, keyId: randomUUID() })).toThrow();
  });

  it('binds a wrapped key to its tenant and id', () => {
    const keyId = randomUUID();
    const wrapped = wrapDataKey(kek, generateDataKey(), tenant, keyId);
    expect(() => unwrapDataKey(kek, wrapped, 'hospital-b', keyId)).toThrow();
    expect(() => unwrapDataKey(kek, wrapped, tenant, randomUUID())).toThrow();
    expect(() => unwrapDataKey(generateDataKey(), wrapped, tenant, keyId)).toThrow();
  });

  it('names subjects by a keyed hash: stable, tenant-scoped, never the identifier', () => {
    const ref = subjectReference(kek, tenant, 'patient-12345');
    expect(ref).toMatch(/^[0-9a-f]{64}$/);
    expect(ref).toBe(subjectReference(kek, tenant, 'patient-12345'));
    expect(ref).not.toBe(subjectReference(kek, 'hospital-b', 'patient-12345'));
    expect(ref).not.toBe(subjectReference(generateDataKey(), tenant, 'patient-12345'));
  });
});
