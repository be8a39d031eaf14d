import { startTestGateway, type GatewayHarness } from '../../test/gateway-harness';

describe('error responses', () => {
  let sut: GatewayHarness;
  beforeAll(async () => {
    sut = await startTestGateway({ bodyLimitBytes: 1024 });
  });
  afterAll(() => sut.close());

  it('answers an unknown route with 404 in the OpenAI error shape', async () => {
    const response = await sut.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: { message: expect.stringContaining('/v1/nothing-here'), type: 'not_found_error', param: null, code: 'not_found' },
    });
  });

  it('answers malformed JSON with 400 and no stack trace', async () => {
    const response = await sut.app.inject({
      method: 'POST',
      url: '/healthz',
      headers: { 'content-type': 'application/json' },
      payload: '{"model": ',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: { message: 'The request body is not valid JSON.', type: 'invalid_request_error', param: null, code: 'invalid_json' },
    });
    expect(response.body).not.toMatch(/at \w+ \(/);
  });

  it('answers an oversize body with 413', async () => {
    const response = await sut.app.inject({
      method: 'POST',
      url: '/healthz',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ text: 'x'.repeat(4096) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('body_too_large');
  });
});
