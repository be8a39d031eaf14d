import OpenAI from 'openai';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

const MODEL = 'stories260k';

describe('OpenAI-compatible API through the official openai client', () => {
  let gateway: E2eGateway;
  let client: OpenAI;

  beforeAll(async () => {
    gateway = await startE2eGateway();
    client = new OpenAI({ apiKey: gateway.adminKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => gateway.close());

  it('lists the built-in model', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain(MODEL);
  });

  it('answers a chat completion with real words and exact usage', async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Tell me a story about a cat.' }],
      max_tokens: 24,
      temperature: 0,
    });
    const text = completion.choices[0]?.message.content ?? '';
    expect(completion.object).toBe('chat.completion');
    expect(text).toMatch(/[a-z]{3,}/i);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(24);
    expect(completion.usage?.total_tokens).toBe((completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0));
  });

  it('gives a request without an id of its own one id, the same in the response header and the audit log', async () => {
    const { response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 2 })
      .withResponse();
    const requestId = response.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await gateway.waitForResponseEvent(requestId)).toBe('success');
  });

  it('reports the overhead outside the model in a header', async () => {
    const { response } = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 4 })
      .withResponse();
    expect(Number(response.headers.get('x-attest-overhead-ms'))).toBeGreaterThanOrEqual(0);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('streams token by token, ends with usage when asked, and the text matches the non-streamed answer', async () => {
    const request = { model: MODEL, messages: [{ role: 'user' as const, content: 'Once upon a time' }], max_tokens: 16, temperature: 0 };
    const whole = await client.chat.completions.create(request);
    const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(finish).toBe(whole.choices[0]?.finish_reason);
    expect(usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
  });

  it('returns JSON that parses and validates when a json_schema is given', async () => {
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Describe a pet as JSON.' }],
      max_tokens: 200,
      temperature: 0,
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'pet',
          schema: {
            type: 'object',
            properties: { name: { type: 'string', maxLength: 24 }, age: { type: 'integer' } },
            required: ['name', 'age'],
          },
        },
      },
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    const parsed = JSON.parse(completion.choices[0]?.message.content ?? '') as { name: unknown; age: unknown };
    expect(typeof parsed.name).toBe('string');
    expect(Number.isInteger(parsed.age)).toBe(true);
  });

  it('honours max_tokens with finish_reason length, and stop sequences', async () => {
    const capped = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 5, temperature: 0 });
    expect(capped.choices[0]?.finish_reason).toBe('length');
    expect(capped.usage?.completion_tokens).toBe(5);

    const stopped = await client.completions.create({ model: MODEL, prompt: 'Once upon a time', max_tokens: 16, temperature: 0, stop: ['Lily'] });
    expect(stopped.choices[0]?.text).not.toContain('Lily');
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
  });

  it('embeds text with exact usage, as floats or base64', async () => {
    const floats = await client.embeddings.create({ model: MODEL, input: ['a cat', 'a dog'], encoding_format: 'float' });
    expect(floats.data).toHaveLength(2);
    const first = floats.data[0]?.embedding ?? [];
    expect(first.length).toBeGreaterThan(8);
    expect(first.every((value) => Number.isFinite(value))).toBe(true);
    expect(floats.usage.prompt_tokens).toBeGreaterThan(0);
    // The SDK asks for base64 by default and decodes it: the same vector must come back.
    const decoded = await client.embeddings.create({ model: MODEL, input: 'a cat' });
    expect(decoded.data[0]?.embedding[0]).toBeCloseTo(first[0] ?? Number.NaN, 5);
  });

  it('exposes what happened on /metrics in Prometheus text format, without any content', async () => {
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 4 });
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/^attest_requests_total\{operation="chat",model="stories260k",outcome="success"\} [1-9]/m);
    expect(text).toMatch(/^attest_tokens_total\{model="stories260k",direction="out"\} [1-9]/m);
    expect(text).toMatch(/^attest_model_active_sequences\{version_id="[0-9a-f-]+"\} 0/m);
    expect(text).toMatch(/^attest_audit_commit_seconds_count [1-9]/m);
    expect(text).not.toContain('Once upon a time');
  });

  it('answers an unknown model with 404 in the OpenAI error shape', async () => {
    const error = await client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).type).toBe('not_found_error');
  });

  it('refuses a missing or wrong key with 401', async () => {
    const anonymous = new OpenAI({ apiKey: 'atk_not_a_real_key', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    await expect(anonymous.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const raw = await fetch(`${gateway.url}/v1/models`);
    expect(raw.status).toBe(401);
    expect(((await raw.json()) as { error: { type: string } }).error.type).toBe('authentication_error');
  });

  it('rejects malformed JSON, wrong types and missing fields with 400 and the field name', async () => {
    const post = (body: string) =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.adminKey}`, 'content-type': 'application/json' },
        body,
      });
    const malformed = await post('{"model": "x", ');
    expect(malformed.status).toBe(400);
    const wrongType = await post(JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'hi' }], temperature: 'hot' }));
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { param: string } }).error.param).toBe('temperature');
    const missing = await post(JSON.stringify({ model: MODEL }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { param: string; code: string } }).error).toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
  });

  it('answers text with a lone UTF-16 surrogate without a 500, and records it (payloads are hashed by default)', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.adminKey}`, 'content-type': 'application/json', 'x-request-id': 'e2e-surrogate' },
      body: '{"model":"stories260k","max_tokens":4,"messages":[{"role":"user","content":"broken \\ud800 text"}]}',
    });
    expect(response.status).toBe(200);
    expect(await gateway.waitForResponseEvent('e2e-surrogate')).toBe('success');
  });

  it('answers an oversize body with 413', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'x'.repeat(3 * 1024 * 1024) }] }),
    });
    expect(response.status).toBe(413);
  });

  it('answers a prompt longer than the context with a clear 400, not a crash', async () => {
    const error = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'the cat sat on the mat '.repeat(400) }], max_tokens: 8 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const healthy = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 });
    expect(healthy.choices[0]?.message.content).toBeDefined();
  });

  it('stops generating when the client aborts mid-stream, and records the abort', async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: MODEL, messages: [{ role: 'user', content: 'Once upon a time' }], max_tokens: 400, stream: true },
      { signal: controller.signal, headers: { 'x-request-id': 'e2e-abort-1' } },
    );
    let received = 0;
    let finishReason: string | null | undefined;
    try {
      for await (const chunk of stream) {
        received += chunk.choices[0]?.delta.content?.length ?? 0;
        finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
        if (received > 0) controller.abort();
      }
    } catch (error) {
      expect((error as Error).name).toMatch(/Abort/);
    }
    expect(finishReason).toBeUndefined();
    const outcome = await gateway.waitForResponseEvent('e2e-abort-1');
    expect(outcome).toBe('aborted');
  });
});
