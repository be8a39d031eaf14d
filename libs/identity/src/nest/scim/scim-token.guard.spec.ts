import type { ExecutionContext } from '@nestjs/common';
import { testConfig } from '../../../test/factories';
import { RecordingAuditRecorder } from '../../../test/recording-audit-recorder';
import { ScimError, ScimErrorCode } from '../../core/scim/scim-errors';
import { ScimTokenGuard } from './scim-token.guard';

const TOKEN = 'a-scim-token-of-at-least-32-characters!';

function contextWith(headers: Record<string, string>): ExecutionContext {
  const request = { headers, ip: '10.0.0.9' };
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

async function refusal(guard: ScimTokenGuard, headers: Record<string, string>): Promise<ScimErrorCode | undefined> {
  try {
    await guard.canActivate(contextWith(headers));
  } catch (error) {
    if (error instanceof ScimError) return error.code;
    throw error;
  }
  return undefined;
}

describe(ScimTokenGuard.name, () => {
  it('turns SCIM off (404, saying which variable) while ATTEST_SCIM_TOKEN is unset', async () => {
    const guard = new ScimTokenGuard(testConfig(), new RecordingAuditRecorder());
    expect(await refusal(guard, { authorization: `Bearer ${TOKEN}` })).toBe(ScimErrorCode.NotConfigured);
    expect(new ScimError(ScimErrorCode.NotConfigured).message).toContain('ATTEST_SCIM_TOKEN');
  });

  it('admits the configured token only; records a wrong one, not a missing one', async () => {
    const audit = new RecordingAuditRecorder();
    const guard = new ScimTokenGuard(testConfig({ scimToken: TOKEN }), audit);
    await expect(guard.canActivate(contextWith({ authorization: `Bearer ${TOKEN}` }))).resolves.toBe(true);
    expect(await refusal(guard, {})).toBe(ScimErrorCode.Unauthenticated);
    expect(audit.events).toEqual([]);
    expect(await refusal(guard, { authorization: `Bearer ${TOKEN}x` })).toBe(ScimErrorCode.Unauthenticated);
    expect(audit.events).toEqual([
      expect.objectContaining({ action: 'authentication.failed', outcome: 'denied', actor: expect.objectContaining({ principalId: 'scim', authMethod: 'scim_token', sourceIp: '10.0.0.9' }) }),
    ]);
  });

  it('still refuses when the audit log cannot record the failure', async () => {
    const audit = new RecordingAuditRecorder();
    audit.failing = true;
    const guard = new ScimTokenGuard(testConfig({ scimToken: TOKEN }), audit);
    expect(await refusal(guard, { authorization: 'Bearer wrong' })).toBe(ScimErrorCode.Unauthenticated);
  });
});
