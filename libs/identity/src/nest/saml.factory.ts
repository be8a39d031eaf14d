import { samlSettingsFrom } from '../core/saml/saml.config';
import { SamlServiceProvider } from '../core/saml/saml-service-provider';
import type { IdentityDependencies } from './identity.factory';
import { SamlLoginService } from './saml-login.service';

/**
 * SAML portal sign-in. Off (its routes answer SSO_NOT_CONFIGURED) unless ATTEST_SAML_IDP_ENTRY_POINT, _ISSUER and
 * _CERT are set; a half configuration throws ConfigError at start, naming what is missing.
 *
 * @example
 * const saml = createSamlLoginService({ dataSource, audit, config: identityConfig.load() });
 */
export function createSamlLoginService(deps: Pick<IdentityDependencies, 'dataSource' | 'audit' | 'config' | 'now'>): SamlLoginService {
  const settings = samlSettingsFrom(deps.config);
  return new SamlLoginService(deps.dataSource, deps.audit, settings ? new SamlServiceProvider(settings) : null, deps.config, deps.now);
}
