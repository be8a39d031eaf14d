import type { FastifyInstance } from 'fastify';

/**
 * Headers every answer carries (OWASP Secure Headers): no MIME sniffing, and, when browsers reach Attest over TLS
 * (an https public URL, typically through the enterprise's TLS-terminating proxy), HSTS for a year. Plain-http
 * deployments get no HSTS: browsers ignore it there, and a wrong one would lock a local demo out.
 * The portal adds its CSP and frame-ancestors in portal-static.ts.
 */
export function securityHeadersFor(publicUrl: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-content-type-options': 'nosniff' };
  if (publicUrl.startsWith('https://')) headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains';
  return headers;
}

export function addSecurityHeaders(fastify: FastifyInstance, publicUrl: string): void {
  const headers = securityHeadersFor(publicUrl);
  fastify.addHook('onRequest', async (_request, reply) => {
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
  });
}
