import { ResolutionCache } from './resolution-cache';

describe(ResolutionCache.name, () => {
  let now = 0;
  let loads = 0;
  const load = (value: string) => () => {
    loads += 1;
    return Promise.resolve(value);
  };

  beforeEach(() => {
    now = 1_000;
    loads = 0;
  });

  it('reuses an answer until it is ttl old, then reads again', async () => {
    const sut = new ResolutionCache<string>(1_000, () => now);
    expect(await sut.get('k', load('a'))).toBe('a');
    now += 999;
    expect(await sut.get('k', load('b'))).toBe('a');
    now += 1;
    expect(await sut.get('k', load('c'))).toBe('c');
    expect(loads).toBe(2);
  });

  it('keeps no failure, and reads on every call with a ttl of 0', async () => {
    const cached = new ResolutionCache<string>(1_000, () => now);
    await expect(cached.get('k', () => Promise.reject(new Error('not found')))).rejects.toThrow('not found');
    expect(await cached.get('k', load('a'))).toBe('a');
    const uncached = new ResolutionCache<string>(0, () => now);
    await uncached.get('k', load('a'));
    expect(await uncached.get('k', load('b'))).toBe('b');
  });

  it('lets callers that miss together share one read, and one failure', async () => {
    const sut = new ResolutionCache<string>(1_000, () => now);
    const releases: ((value: string) => void)[] = [];
    const slow = () => {
      loads += 1;
      return new Promise<string>((resolve) => releases.push(resolve));
    };
    const burst = [sut.get('k', slow), sut.get('k', slow), sut.get('k', slow), sut.get('other', load('o'))];
    for (const release of releases) release('shared');
    expect(await Promise.all(burst)).toEqual(['shared', 'shared', 'shared', 'o']);
    expect(loads).toBe(2);

    now += 1_000;
    const failures: ((error: Error) => void)[] = [];
    const failing = () => new Promise<string>((_resolve, reject) => failures.push(reject));
    const refused = [sut.get('k', failing), sut.get('k', failing)];
    expect(failures).toHaveLength(1);
    for (const fail of failures) fail(new Error('not found'));
    for (const call of refused) await expect(call).rejects.toThrow('not found');
    expect(await sut.get('k', load('after the failure'))).toBe('after the failure');
  });

  it('forgets everything on clear, and does not keep an answer whose read began before the clear', async () => {
    const sut = new ResolutionCache<string>(1_000, () => now);
    await sut.get('k', load('old'));
    sut.clear();
    expect(await sut.get('k', load('new'))).toBe('new');

    let release: (value: string) => void = () => undefined;
    const slow = sut.get('j', () => new Promise<string>((resolve) => (release = resolve)));
    sut.clear();
    // A caller after the clear does not join the read that began before it.
    const after = sut.get('j', load('read after the clear'));
    release('read before the clear');
    expect(await slow).toBe('read before the clear');
    expect(await after).toBe('read after the clear');
    expect(await sut.get('j', load('a third read'))).toBe('read after the clear');
  });
});
