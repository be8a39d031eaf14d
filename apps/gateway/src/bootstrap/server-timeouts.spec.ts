import { ConfigError } from '@attest/config';
import { serverConfig } from '../gateway.config';
import { defaultServerTimeouts, serverTimeoutOptions } from './server-timeouts';

describe(serverTimeoutOptions.name, () => {
  it('sets node’s headers and request timeouts at both levels, so Fastify’s default of 0 cannot switch them off', () => {
    const options = serverTimeoutOptions({ headersTimeoutMs: 1_500, requestTimeoutMs: 3_000, keepAliveTimeoutMs: 5_000 });

    expect(options).toEqual({
      requestTimeout: 3_000,
      keepAliveTimeout: 5_000,
      http: { headersTimeout: 1_500, requestTimeout: 3_000, connectionsCheckingInterval: 375 },
    });
  });

  it('checks for expired connections at least once a second, not node’s default of every 30 seconds', () => {
    expect(serverTimeoutOptions(defaultServerTimeouts).http.connectionsCheckingInterval).toBe(1_000);
    expect(serverTimeoutOptions({ ...defaultServerTimeouts, headersTimeoutMs: 100 }).http.connectionsCheckingInterval).toBe(50);
  });

  it('refuses a headers timeout longer than the request timeout, naming both variables', () => {
    expect(() => serverTimeoutOptions({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 })).toThrow(ConfigError);
    expect(() => serverTimeoutOptions({ headersTimeoutMs: 20_000, requestTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 })).toThrow(
      /ATTEST_HEADERS_TIMEOUT_MS=20000 .*ATTEST_REQUEST_TIMEOUT_MS=10000/,
    );
  });

  it('keeps its defaults equal to the configuration’s', () => {
    const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = serverConfig.load({});
    expect(defaultServerTimeouts).toEqual({ headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs });
  });
});
