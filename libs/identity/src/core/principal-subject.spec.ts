import { subjectParts } from './principal-subject';

describe(subjectParts.name, () => {
  it.each([
    ['oidc:https://idp.example/realms/acme#00u1', { source: 'oidc', issuer: 'https://idp.example/realms/acme', subject: '00u1' }],
    ['oidc:https://idp.example#a#b', { source: 'oidc', issuer: 'https://idp.example', subject: 'a#b' }],
    ['saml:urn:acme:idp#alice@acme.example', { source: 'saml', issuer: 'urn:acme:idp', subject: 'alice@acme.example' }],
    ['scim:6f1c2a52-3a0e-4b7e-9a8f-0d1e2c3b4a59', { source: 'scim', issuer: null, subject: '6f1c2a52-3a0e-4b7e-9a8f-0d1e2c3b4a59' }],
    ['local:bootstrap-admin', { source: 'local', issuer: null, subject: 'bootstrap-admin' }],
    ['api-key:ci-runner', { source: 'api_key', issuer: null, subject: 'ci-runner' }],
    ['something-else', { source: 'other', issuer: null, subject: 'something-else' }],
    ['oidc:no-fragment', { source: 'other', issuer: null, subject: 'oidc:no-fragment' }],
  ])('reads %s', (stored, expected) => {
    expect(subjectParts(stored)).toEqual(expected);
  });
});
