import { authorizationRuleOf, ScimModule } from '@attest/identity/nest';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AdminModule } from '../../gateway/src/admin/admin.module';

type ControllerClass = abstract new (...args: never[]) => unknown;

/** Routes asked before anyone is signed in: the sign-in methods and sign-in with an API key. */
const PUBLIC_ROUTES = ['api/admin/sign-in', 'api/admin/session'];
/** SCIM provisioning: called by the IdP with the SCIM bearer token (no principal, no role), and nothing else is. */
const SCIM_PREFIX = 'scim/v2';

/**
 * Every admin and provisioning route declares who may call it: a rule, `@Public()` on purpose, or (SCIM only) the
 * IdP's token; a forgotten rule fails here.
 */
describe('admin and provisioning routes', () => {
  const controllers = [AdminModule, ScimModule].flatMap((module) => Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) as ControllerClass[]);
  const routes = controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .filter((name) => name !== 'constructor' && Reflect.getMetadata(METHOD_METADATA, (controller.prototype as Record<string, object>)[name]!) !== undefined)
      .map((name) => {
        const handlerPath = String(Reflect.getMetadata(PATH_METADATA, (controller.prototype as Record<string, object>)[name]!));
        const path = [String(Reflect.getMetadata(PATH_METADATA, controller)), handlerPath].filter((part) => part !== '/' && part !== '').join('/');
        return { controller, name, path };
      }),
  );

  it('has routes to check', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
  });

  it.each(routes.map((route) => [`${route.path} ${route.name}`, route] as const))('%s declares its authorisation', (_label, route) => {
    const rule = authorizationRuleOf(route.controller, route.name);
    expect(rule).toBeDefined();
    if (rule === 'public') expect(PUBLIC_ROUTES).toContain(route.path);
    // The SCIM token opens SCIM routes only, and every SCIM route needs it.
    expect(rule === 'scim_token').toBe(route.path === SCIM_PREFIX || route.path.startsWith(`${SCIM_PREFIX}/`));
  });

  it('has every SCIM route', () => {
    const scimRoutes = routes.filter((route) => route.path.startsWith(SCIM_PREFIX)).map((route) => `${route.path} ${route.name}`);
    expect(scimRoutes.length).toBeGreaterThanOrEqual(17);
  });
});
