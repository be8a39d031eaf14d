import { Public, SESSION_SERVICE, type SessionService } from '@attest/identity/nest';
import { Controller, Get, Header, Inject } from '@nestjs/common';

/** What the portal's sign-in page may offer. Public on purpose: it is asked before anyone is signed in. */
@Controller('api/admin/sign-in')
export class SignInController {
  constructor(@Inject(SESSION_SERVICE) private readonly sessions: SessionService | null) {}

  @Get()
  @Public()
  @Header('cache-control', 'no-store')
  methods(): { sso: boolean } {
    // identity creates the session service only when the IdP client is configured (ATTEST_OIDC_*).
    return { sso: this.sessions !== null };
  }
}
