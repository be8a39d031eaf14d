import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

/**
 * Named network zones for the policy context (`context.sourceNetwork`): `{"internal":["10.0.0.0/8"],"vpn":["100.64.0.0/10"]}`.
 * The first zone (in the order written) whose CIDR holds the client address names it; any other address is `internet`,
 * so a policy that trusts `internal` never trusts an address nobody listed.
 */
export const networkZonesSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a zone name such as internal or vpn'),
  z.array(z.string().refine(isCidr, 'an IPv4 or IPv6 CIDR such as 10.0.0.0/8')).min(1),
);

export type NetworkZoneSpec = z.infer<typeof networkZonesSchema>;

export const OUTSIDE_ZONE = 'internet';

function isCidr(value: string): boolean {
  const [address, bits, extra] = value.split('/');
  if (extra !== undefined || !address || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(address);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

export class NetworkZones {
  private readonly zones: { name: string; blocks: BlockList }[];

  constructor(spec: NetworkZoneSpec = {}) {
    this.zones = Object.entries(spec).map(([name, cidrs]) => {
      const blocks = new BlockList();
      for (const cidr of cidrs) {
        const [address = '', bits = '0'] = cidr.split('/');
        blocks.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
      }
      return { name, blocks };
    });
  }

  /** The zone of a client address; `internet` when it is in no listed zone or is not an address at all. */
  zoneOf(address: string | undefined): string {
    if (!address) return OUTSIDE_ZONE;
    // IPv4 clients on a dual-stack socket arrive as ::ffff:a.b.c.d.
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const family = isIP(plain);
    if (family === 0) return OUTSIDE_ZONE;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    return this.zones.find((zone) => zone.blocks.check(plain, type))?.name ?? OUTSIDE_ZONE;
  }
}
