import { AuditError, AuditErrorCode } from '@attest/audit/nest';
import { IdentityError, IdentityErrorCode, ScimError, ScimErrorCode } from '@attest/identity';
import { HttpException } from '@nestjs/common';
import { isScimRequest, toScimErrorResponse } from './scim-error-response';

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe(toScimErrorResponse.name, () => {
  it('gives a ScimError its status and scimType, in application/scim+json', () => {
    expect(toScimErrorResponse(new ScimError(ScimErrorCode.Uniqueness))).toEqual({
      status: 409,
      body: { schemas: [ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: expect.any(String) },
      headers: { 'content-type': 'application/scim+json; charset=utf-8' },
    });
    expect(toScimErrorResponse(new ScimError(ScimErrorCode.Unauthenticated)).headers['www-authenticate']).toBe('Bearer realm="attest-scim"');
  });

  it('keeps the gateway’s status for other errors: an audit outage is 503, an unreadable body invalidSyntax', () => {
    const outage = toScimErrorResponse(new AuditError(AuditErrorCode.Unavailable, 'connection refused to 10.1.2.3'));
    expect(outage.status).toBe(503);
    expect(outage.body).toEqual({ schemas: [ERROR_SCHEMA], status: '503', detail: expect.not.stringContaining('10.1.2.3') });
    expect(toScimErrorResponse(new HttpException('Unexpected end of JSON input', 400)).body).toMatchObject({ status: '400', scimType: 'invalidSyntax' });
    expect(toScimErrorResponse(new IdentityError(IdentityErrorCode.PrincipalNotFound)).body).toMatchObject({ status: '404' });
    expect(toScimErrorResponse(new Error('secret internals')).body).toEqual({ schemas: [ERROR_SCHEMA], status: '500', detail: expect.not.stringContaining('secret') });
  });

  it('applies to /scim paths only', () => {
    expect(['/scim/v2/Users', '/scim', '/scim?x=1'].map(isScimRequest)).toEqual([true, true, true]);
    expect(['/scimitar', '/v1/models', undefined].map(isScimRequest)).toEqual([false, false, false]);
  });
});
