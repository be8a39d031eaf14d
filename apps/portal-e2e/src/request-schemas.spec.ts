import { z } from 'zod';
import * as gateway from '../../gateway/src/admin/admin-requests';
import * as portal from '../../portal/src/api/requests';

// The portal builds the admin API's request bodies with its own copy of the schemas the controllers validate with
// (Nx module boundaries keep the gateway from importing the portal): this spec keeps the two copies identical.
describe('admin API request schemas', () => {
  const names = Object.keys(portal).filter((name) => name.endsWith('BodySchema')) as (keyof typeof portal & keyof typeof gateway)[];

  it('exist on both sides', () => {
    expect(names.length).toBeGreaterThan(0);
    expect(Object.keys(gateway).filter((name) => name.endsWith('BodySchema')).sort()).toEqual([...names].sort());
  });

  it.each(names)('%s is the same in the portal and the gateway', (name) => {
    expect(z.toJSONSchema(portal[name])).toEqual(z.toJSONSchema(gateway[name]));
  });
});
