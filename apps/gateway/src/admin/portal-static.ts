import fastifyStatic from '@fastify/static';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { portalConfig } from './portal.config';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const PORTAL_PREFIX = '/portal/';

/**
 * Restrictive headers for the portal's pages: scripts and styles only from this origin, no framing (clickjacking),
 * no referrer (W3C CSP Level 3; OWASP Secure Headers).
 */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** apps/portal/dist, found from this file upwards so it works from the sources and from a build under dist/. */
export function findPortalDist(start: string = __dirname): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'portal', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Serves the built portal at /portal on the gateway's own origin (one server, and the session cookie never crosses
 * origins). Hashed assets are cached for a year; index.html is revalidated so a new build shows at once.
 */
@Injectable()
export class PortalStaticServer implements OnModuleInit {
  private readonly logger = new Logger('portal');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const configured = portalConfig.load().dir;
    const root = configured ? resolve(configured) : findPortalDist();
    if (!root) {
      this.logger.warn('apps/portal/dist is missing: build the portal with `npm run build:portal` to serve it at /portal');
      const notBuilt = (_request: unknown, reply: FastifyReply) => reply.code(503).type('text/plain').send('The portal is not built. Run: npm run build:portal');
      fastify.get('/portal', notBuilt);
      fastify.get('/portal/*', notBuilt);
      return;
    }
    fastify.get('/portal', (_request, reply) => reply.redirect(PORTAL_PREFIX, 301));
    await fastify.register(fastifyStatic, {
      root,
      prefix: PORTAL_PREFIX,
      decorateReply: false,
      setHeaders: (response, path) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) void response.header(name, value);
        void response.header('cache-control', path.includes(`${join('dist', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
}
