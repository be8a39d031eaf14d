import { NetworkZones, networkZonesSchema } from './network-zones';

describe(NetworkZones.name, () => {
  const zones = new NetworkZones({ internal: ['10.0.0.0/8', 'fd00::/8'], vpn: ['100.64.0.0/10'], lab: ['10.1.0.0/16'] });

  it('names the first listed zone holding the address, IPv4, IPv6 and IPv4-mapped alike', () => {
    expect(zones.zoneOf('10.20.30.40')).toBe('internal');
    expect(zones.zoneOf('10.1.2.3')).toBe('internal');
    expect(zones.zoneOf('::ffff:100.64.1.9')).toBe('vpn');
    expect(zones.zoneOf('fd12:3456::1')).toBe('internal');
  });

  it('calls anything else the internet, garbage and missing addresses included', () => {
    expect(zones.zoneOf('8.8.8.8')).toBe('internet');
    expect(zones.zoneOf('2001:db8::1')).toBe('internet');
    expect(zones.zoneOf('not-an-ip')).toBe('internet');
    expect(zones.zoneOf(undefined)).toBe('internet');
    expect(new NetworkZones().zoneOf('10.0.0.1')).toBe('internet');
  });

  it('refuses a configuration that is not zone names with CIDRs', () => {
    expect(networkZonesSchema.safeParse({ internal: ['10.0.0.0/8'] }).success).toBe(true);
    expect(networkZonesSchema.safeParse({ internal: ['10.0.0.0/33'] }).success).toBe(false);
    expect(networkZonesSchema.safeParse({ internal: ['10.0.0.0'] }).success).toBe(false);
    expect(networkZonesSchema.safeParse({ 'Bad Name': ['10.0.0.0/8'] }).success).toBe(false);
    expect(networkZonesSchema.safeParse({ internal: [] }).success).toBe(false);
  });
});
