import { z } from 'zod';
import * as adminRequests from '../../gateway/src/admin/admin-requests';
import * as retentionRoutes from '../../gateway/src/admin/audit-retention.controller';
import * as portal from '../../portal/src/api/requests';

// The portal builds the admin API's request bodies with its own copy of the schemas the controllers validate with
// (Nx module boundaries keep the gateway from importing the portal): this spec keeps the two copies identical.
// The gateway keeps most in admin-requests.ts; the legal-hold schemas live beside their controller.
const gateway: Record<string, z.ZodType> = Object.fromEntries(
  [...Object.entries(adminRequests), ...Object.entries(retentionRoutes)].filter(([name]) => name.endsWith('BodySchema')),
) as Record<string, z.ZodType>;

describe('admin API request schemas', () => {
  const names = Object.keys(portal).filter((name) => name.endsWith('BodySchema')) as (keyof typeof portal)[];

  it('exist on both sides', () => {
    expect(names.length).toBeGreaterThan(0);
    expect(Object.keys(gateway).sort()).toEqual([...names].sort());
  });

  it.each(names)('%s is the same in the portal and the gateway', (name) => {
    expect(z.toJSONSchema(portal[name] as z.ZodType)).toEqual(z.toJSONSchema(gateway[name]!));
  });
});
