import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

describe('security headers', () => {
  describe('behind TLS (an https public URL)', () => {
    let gateway: E2eGateway;
    beforeAll(async () => {
      gateway = await startE2eGateway({ ATTEST_PUBLIC_URL: 'https://attest.bank.example' });
    });
    afterAll(() => gateway.close());

    it('sends HSTS and nosniff on API answers, errors included', async () => {
      for (const path of ['/healthz', '/v1/models']) {
        const response = await fetch(`${gateway.url}${path}`);
        expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }
    });

    it('serves the portal with a CSP that forbids framing and foreign scripts', async () => {
      const response = await fetch(`${gateway.url}/portal/`);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(response.headers.get('strict-transport-security')).toContain('max-age=');
    });
  });

  describe('on plain http (a local demo)', () => {
    let gateway: E2eGateway;
    beforeAll(async () => {
      gateway = await startE2eGateway({ ATTEST_PUBLIC_URL: 'http://localhost:8080' });
    });
    afterAll(() => gateway.close());

    it('sends no HSTS, which would lock browsers out of an http origin, but still nosniff', async () => {
      const response = await fetch(`${gateway.url}/healthz`);
      expect(response.headers.get('strict-transport-security')).toBeNull();
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });
});
