/**
 * Small labelled samples for the specs: one sentence per entity type with the value it must find. Every value is
 * fictional; card and IBAN numbers are the issuers' published test numbers.
 */
export interface PiiSample {
  type: string;
  text: string;
  value: string;
}

export const positiveSamples: readonly PiiSample[] = [
  { type: 'EMAIL_ADDRESS', text: 'Write to jane.doe+ops@example.co.uk today.', value: 'jane.doe+ops@example.co.uk' },
  { type: 'CREDIT_CARD', text: 'Card 4111 1111 1111 1111 expires soon.', value: '4111 1111 1111 1111' },
  { type: 'CREDIT_CARD', text: 'Amex 378282246310005 on file.', value: '378282246310005' },
  { type: 'IBAN_CODE', text: 'Pay to GB82 WEST 1234 5698 7654 32 by Friday.', value: 'GB82 WEST 1234 5698 7654 32' },
  { type: 'IBAN_CODE', text: 'IBAN: DE89370400440532013000', value: 'DE89370400440532013000' },
  { type: 'US_SSN', text: 'My SSN is 536-90-4399.', value: '536-90-4399' },
  { type: 'UK_NINO', text: 'National insurance number AB 12 34 56 C is on the form.', value: 'AB 12 34 56 C' },
  { type: 'UK_NHS', text: 'Patient NHS number 943 476 5919 was admitted.', value: '943 476 5919' },
  { type: 'IP_ADDRESS', text: 'The server at 192.168.10.25 refused.', value: '192.168.10.25' },
  { type: 'IP_ADDRESS', text: 'Reach it on 2001:db8::8a2e:370:7334 instead.', value: '2001:db8::8a2e:370:7334' },
  { type: 'URL', text: 'See https://intranet.example.com/people/42.', value: 'https://intranet.example.com/people/42' },
  { type: 'PHONE_NUMBER', text: 'Call me on +44 20 7946 0958 tomorrow.', value: '+44 20 7946 0958' },
  { type: 'PHONE_NUMBER', text: 'My phone is (415) 555-2671.', value: '(415) 555-2671' },
  { type: 'DATE_TIME', text: 'The meeting was on 2021-03-04 10:30:00.', value: '2021-03-04 10:30:00' },
  { type: 'DATE_TIME', text: 'She was born on 14 March 1985.', value: '14 March 1985' },
  { type: 'PERSON', text: 'My name is John Smith and I need help.', value: 'John Smith' },
  { type: 'LOCATION', text: 'I moved to Paris last year.', value: 'Paris' },
  { type: 'ORGANIZATION', text: 'She works for Acme Corporation now.', value: 'Acme Corporation' },
  { type: 'AWS_ACCESS_KEY', text: 'key AKIAIOSFODNN7EXAMPLE leaked', value: 'AKIAIOSFODNN7EXAMPLE' },
  {
    type: 'JWT',
    text: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk4 sent',
    value: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dBjftJeZ4CVPmB92K27uhbUJU1p1r_wW1gFWFOEjXk4',
  },
  { type: 'API_KEY', text: 'token ghp_Zx8vQ2mN4pL7kR1tY6wE3sA9dF5gH0jK2bC4 here', value: 'ghp_Zx8vQ2mN4pL7kR1tY6wE3sA9dF5gH0jK2bC4' },
  { type: 'API_KEY', text: 'api secret: q8Zr2LmX9vT4kP7wN3bY6cH1dF5gJ0sQ', value: 'q8Zr2LmX9vT4kP7wN3bY6cH1dF5gJ0sQ' },
];

/** Near-misses that must produce no structured finding. */
export const negativeSamples: readonly string[] = [
  'The card 4111 1111 1111 1112 was declined (bad check digit).',
  'Transfer to GB83 WEST 1234 5698 7654 32 failed.',
  'Upgrade to version 10.2.3.4 before Friday.',
  'Request 550e8400-e29b-41d4-a716-446655440000 timed out.',
  'Order 84712093 ships tomorrow; invoice INV-204411.',
  'Commit 9fceb02d0ae598e95dc970b74767f19372d61af8 fixed it.',
  'SSN-like 000-12-3456 and 666-12-3456 are never issued.',
];

export const privateKeyBlock = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu',
  'KUpRKfFLfRYC9AIKjbJTWit+CqvjWYzvQwECAwEAAQJAIJLixBy2qpFoS4DSmoEm',
  '-----END RSA PRIVATE KEY-----',
].join('\n');
