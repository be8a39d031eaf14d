import type { AuthorizationRule } from '@attest/identity';
import { authorizationRuleOf } from '@attest/identity/nest';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AdminModule } from '../../gateway/src/admin/admin.module';
import { startPortalTestApp, type PortalTestApp } from './support/portal-test-app';

type ControllerClass = abstract new (...args: never[]) => unknown;

const ROLES = ['admin', 'auditor', 'model-approver', 'policy-author', 'developer'] as const;
type Role = (typeof ROLES)[number];

/**
 * Where the role floor lets a role in but the shipped policy bundle refuses the act (policies/admin.cedar): the only
 * 403s a permitted role may see. Anything else a permitted role gets must be neither 401 nor 403.
 */
const POLICY_REFUSALS: Record<string, Role[]> = {
  // admin.auditors-read-audit: only auditors take evidence out of the log; admins run the system.
  'POST api/audit/exports': ['admin'],
  // admin.auditors-read-raw-content.
  'GET api/audit/events/:id/raw': ['admin'],
};

/** Bodies that pass validation where the policy decision comes after it (so the matrix sees the decision). */
const VALID_BODIES: Record<string, unknown> = {
  'POST api/audit/exports': { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
};

interface Route {
  method: string;
  path: string;
  rule: AuthorizationRule;
}

/** Every route of the portal's API with the rule it declares, read from the controllers (the route table). */
function routeTable(): Route[] {
  const controllers = Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, AdminModule) as ControllerClass[];
  return controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor')
      .flatMap((name) => {
        const handler = (controller.prototype as Record<string, object>)[name]!;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const rule = authorizationRuleOf(controller, name);
        if (method === undefined || rule === undefined || rule === 'public' || rule === 'scim_token') return [];
        const path = [String(Reflect.getMetadata(PATH_METADATA, controller)), String(Reflect.getMetadata(PATH_METADATA, handler))].filter((part) => part !== '/' && part !== '').join('/');
        return [{ method: RequestMethod[method], path, rule }];
      }),
  );
}

function expectedFor(route: Route, role: Role | 'anonymous'): 'unauthenticated' | 'forbidden' | 'permitted' {
  if (role === 'anonymous') return 'unauthenticated';
  const floor = route.rule.roles ?? [];
  if (floor.length > 0 && !floor.includes(role)) return 'forbidden';
  return POLICY_REFUSALS[`${route.method} ${route.path}`]?.includes(role) ? 'forbidden' : 'permitted';
}

// Issue #8: every route × every role → the expected status, generated from the route table, so a new route is
// covered the day it is added (and admin-routes.spec fails it if it declares no rule at all).
describe('authorisation matrix of the portal API', () => {
  const routes = routeTable();
  let sut: PortalTestApp;
  const keys = new Map<Role, string>();

  beforeAll(async () => {
    sut = await startPortalTestApp({ env: { ATTEST_AUDIT_CHECKPOINT_INTERVAL_MS: '3600000' } });
    for (const role of ROLES) keys.set(role, await sut.issueKey({ name: `matrix-${role}`, roles: [role], holder: 'person' }));
  });
  afterAll(() => sut.close());

  it('reads a route table with a rule on every route', () => {
    expect(routes.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(POLICY_REFUSALS).every((key) => routes.some((route) => `${route.method} ${route.path}` === key))).toBe(true);
  });

  it.each(routes.map((route) => [`${route.method} /${route.path}`, route] as const))('%s answers every role as its rule says', async (_label, route) => {
    const url = `${sut.url}/${route.path.replace(/:[a-zA-Z]+/g, '0190b3a4-0000-7000-8000-00000000abcd')}`;
    const outcomes: string[] = [];
    for (const role of ['anonymous', ...ROLES] as const) {
      // As the portal sends it (the CSRF header), so what answers is authentication and authorisation.
      const headers: Record<string, string> = role === 'anonymous' ? { 'x-attest-request': 'portal' } : { authorization: `Bearer ${keys.get(role)}` };
      // Otherwise an empty JSON body: a permitted role then meets validation (400) or a missing resource (404), never a change.
      const body = JSON.stringify(VALID_BODIES[`${route.method} ${route.path}`] ?? {});
      const response = await fetch(url, { method: route.method, headers: route.method === 'GET' ? headers : { ...headers, 'content-type': 'application/json' }, ...(route.method === 'GET' ? {} : { body }) });
      const expected = expectedFor(route, role);
      const actual = response.status === 401 ? 'unauthenticated' : response.status === 403 ? 'forbidden' : 'permitted';
      outcomes.push(`${role}: ${actual === expected ? 'ok' : `expected ${expected}, got ${response.status}`}`);
      await response.arrayBuffer();
    }
    expect(outcomes.filter((line) => !line.endsWith(': ok'))).toEqual([]);
  });
});
