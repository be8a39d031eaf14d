import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata, UseGuards } from '@nestjs/common';
import type { AuthorizationRule } from '../core/authorization';
import type { Principal } from '../core/principal';
import { AUTHENTICATED_RULE, PUBLIC_ROUTE } from './authenticated.metadata';
import { AuthenticationGuard } from './authentication.guard';


/** A request after the guard ran. */
export interface AuthenticatedRequest {
  principal?: Principal;
}

/**
 * The one decorator a controller or route needs: authenticates the request, checks roles and the credential's action
 * scope, and sets `request.principal`. Routes without it are public, so the gateway's route-table test lists them.
 *
 * @example
 * @Post('chat/completions')
 * @Authenticated({ roles: ['developer'], action: 'chat' })
 * complete(@CurrentPrincipal() principal: Principal, @Body() body: unknown) { ... }
 */
export function Authenticated(options: AuthorizationRule = {}): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(AUTHENTICATED_RULE, options), UseGuards(AuthenticationGuard));
}

/**
 * The principal the guard authenticated; only valid on routes under {@link Authenticated}.
 *
 * @example
 * list(@CurrentPrincipal() principal: Principal) { return this.keys.list(principal.tenant); }
 */
export const CurrentPrincipal: () => ParameterDecorator = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  // A route that reads the principal without the guard is a wiring bug: fail loudly instead of running anonymous.
  if (!principal) throw new Error('CurrentPrincipal used on a route without @Authenticated');
  return principal;
});

/**
 * Marks a route as deliberately open, so the authorisation-matrix test can tell it from a forgotten rule.
 *
 * @example
 * @Get('healthz') @Public() live() { ... }
 */
export function Public(): MethodDecorator & ClassDecorator {
  return SetMetadata(PUBLIC_ROUTE, true);
}
