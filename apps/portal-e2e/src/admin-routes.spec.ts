import { authorizationRuleOf } from '@attest/identity/nest';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { AdminModule } from '../../gateway/src/admin/admin.module';

type ControllerClass = abstract new (...args: never[]) => unknown;

/** Routes asked before anyone is signed in: the sign-in methods and sign-in with an API key. */
const PUBLIC_ROUTES = ['api/admin/sign-in', 'api/admin/session'];

/** Every admin route declares who may call it: a rule, or `@Public()` on purpose (a forgotten rule fails here). */
describe('admin routes', () => {
  const controllers = Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, AdminModule) as ControllerClass[];
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
  });
});
