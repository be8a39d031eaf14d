import { ModelRegistryService } from '@attest/registry/nest';
import OpenAI from 'openai';
import { AuditLedger } from '../support/audit-ledger';
import { startE2eGateway, type E2eGateway } from '../support/e2e-gateway';
import { STACK_TRACE } from '../support/load-driver';
import { startScriptedUpstream, upstream, type ScriptedUpstream, type UpstreamBehaviour } from '../support/scripted-upstream';

jest.setTimeout(120_000);

const operator = (id: string, roles: string[]) => ({ id, kind: 'user' as const, tenant: 'default', roles, authMethod: 'cli' });
const HEALTHY_ANSWER = 'The healthy endpoint answers.';

interface Fault {
  name: string;
  behaviour: UpstreamBehaviour;
  stream: boolean;
  /** What the client gets when this is the only endpoint. */
  status: number;
  code: string;
  /** A second, healthy endpoint of the same version takes over (false once text from the faulty one was streamed). */
  failsOver: boolean;
}

/** Faults of a remote model endpoint, as vLLM, llama.cpp server or a proxy in front of them have been seen to fail. */
const FAULTS: Fault[] = [
  { name: 'hangs without answering', behaviour: upstream.hangs(), stream: false, status: 504, code: 'BACKEND_TIMEOUT', failsOver: true },
  { name: 'hangs without answering a stream', behaviour: upstream.hangs(), stream: true, status: 504, code: 'BACKEND_TIMEOUT', failsOver: true },
  { name: 'resets the connection', behaviour: upstream.resets(), stream: false, status: 502, code: 'BACKEND_FAILED', failsOver: true },
  { name: 'answers 500 with an HTML page', behaviour: upstream.status(500), stream: false, status: 502, code: 'BACKEND_FAILED', failsOver: true },
  { name: 'answers 200 with a body that is not JSON', behaviour: upstream.garbage(), stream: false, status: 502, code: 'BACKEND_FAILED', failsOver: true },
  { name: 'answers JSON without choices', behaviour: upstream.wrongShape({ object: 'error', detail: 'no' }), stream: false, status: 502, code: 'BACKEND_FAILED', failsOver: true },
  {
    name: 'answers content of the wrong type',
    behaviour: upstream.wrongShape({ choices: [{ index: 0, message: { role: 'assistant', content: { text: 42 } }, finish_reason: 'stop' }] }),
    stream: false,
    status: 502,
    code: 'BACKEND_FAILED',
    failsOver: true,
  },
  { name: 'streams a frame that is not JSON', behaviour: upstream.garbledStream(), stream: true, status: 502, code: 'BACKEND_FAILED', failsOver: true },
  {
    name: 'streams a delta of the wrong type',
    behaviour: upstream.wrongShape({ choices: [{ index: 0, delta: { content: 7 }, finish_reason: null }] }),
    stream: true,
    status: 502,
    code: 'BACKEND_FAILED',
    failsOver: true,
  },
  // Text was handed on before the fault showed: it is never retried (the client may have seen it), only failed.
  { name: 'cuts a stream short without finish_reason or [DONE]', behaviour: upstream.truncatedStream('Once upon a'), stream: true, status: 502, code: 'BACKEND_FAILED', failsOver: false },
  { name: 'falls silent in the middle of a stream', behaviour: upstream.stallsAfterFirstChunk('Once upon a'), stream: true, status: 504, code: 'BACKEND_TIMEOUT', failsOver: false },
];

interface ClientView {
  requestId: string;
  /** HTTP status, or 200 for an error event inside an opened stream. */
  status: number;
  text: string;
  error?: { message?: string; type?: string; code?: string | null; param?: string | null };
  /** The SDK's own description of the failure (message and error body), checked for leaks. */
  raw: string;
}

/**
 * Issue #11, fault 3: a remote model endpoint that hangs, resets connections or answers garbage. The gateway runs
 * in-process with short, bounded remote timeouts; each fault gets a version with only the faulty endpoint, and one
 * with the faulty endpoint first and a healthy one second.
 */
describe('a remote model endpoint that hangs, resets or answers garbage', () => {
  let gateway: E2eGateway;
  let client: OpenAI;
  let ledger: AuditLedger;
  let healthy: ScriptedUpstream;
  const faulty = new Map<string, ScriptedUpstream>();
  let sequence = 0;

  beforeAll(async () => {
    // One attempt waits at most 1.5 s for a byte; two retries; no cool-down, so every request meets the fault first.
    gateway = await startE2eGateway({ ATTEST_REMOTE_TIMEOUT_MS: '1500', ATTEST_REMOTE_RETRIES: '2', ATTEST_REMOTE_COOLDOWN_MS: '0' });
    client = new OpenAI({ apiKey: gateway.adminKey, baseURL: `${gateway.url}/v1`, maxRetries: 0, timeout: 30_000 });
    ledger = AuditLedger.over(gateway.db.dataSource, process.env['ATTEST_DATA_DIR'] ?? '');
    healthy = await startScriptedUpstream(upstream.answers(HEALTHY_ANSWER));
    const registry = gateway.app.get(ModelRegistryService);
    const register = async (name: string, endpoints: string[]) => {
      await registry.register({ name, source: { kind: 'remote_openai', endpoints, servedModel: 'upstream-model' }, deployment: 'remote' }, operator('registrant', ['developer']));
      await registry.approve({ model: name, version: 1 }, operator('second-person', ['model-approver']));
      await registry.promote({ model: name, version: 1 }, operator('second-person', ['model-approver']));
    };
    for (const [index, fault] of FAULTS.entries()) {
      const server = await startScriptedUpstream(fault.behaviour);
      faulty.set(fault.name, server);
      await register(`solo-${index}`, [server.baseUrl]);
      await register(`failover-${index}`, [server.baseUrl, healthy.baseUrl]);
    }
    const refusing = await startScriptedUpstream(upstream.status(400, JSON.stringify({ error: { message: 'This model’s maximum context length is 2048 tokens.' } }), 'application/json'));
    faulty.set('refuses', refusing);
    await register('refusing', [refusing.baseUrl]);
  });

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([healthy?.close(), ...[...faulty.values()].map((server) => server.close())]);
  });

  async function ask(model: string, stream: boolean): Promise<ClientView> {
    const requestId = `remote-fault-${sequence++}`;
    const body = { model, messages: [{ role: 'user' as const, content: 'Tell me a story' }], max_tokens: 16 };
    const options = { headers: { 'x-request-id': requestId } };
    try {
      if (!stream) {
        const completion = await client.chat.completions.create(body, options);
        return { requestId, status: 200, text: completion.choices[0]?.message.content ?? '', raw: '' };
      }
      let text = '';
      for await (const chunk of await client.chat.completions.create({ ...body, stream: true }, options)) text += chunk.choices[0]?.delta.content ?? '';
      return { requestId, status: 200, text, raw: '' };
    } catch (error) {
      if (!(error instanceof OpenAI.APIError) || error instanceof OpenAI.APIConnectionError) throw error;
      const shaped = error.error as ClientView['error'];
      return { requestId, status: error.status ?? 200, text: '', error: shaped, raw: `${error.message}\n${JSON.stringify(error.error)}` };
    }
  }

  /** Nothing of the upstream reaches the client: no stack frame, no internal address, none of its body. */
  function expectNoLeak(view: ClientView): void {
    expect(view.raw).not.toMatch(STACK_TRACE);
    expect(view.raw).not.toMatch(/127\.0\.0\.1|localhost|upstream proxy says|Internal Server Error|<html/i);
  }

  describe.each(FAULTS.map((fault, index) => [fault.name, fault, index] as const))('an endpoint that %s', (_name, fault, index) => {
    it(`fails with ${fault.status} ${fault.code} in OpenAI’s error shape, and the audit records the failed response`, async () => {
      const view = await ask(`solo-${index}`, fault.stream);

      expect(view.error).toEqual({ message: 'The model is unavailable right now; nothing was served.', type: 'server_error', param: null, code: fault.code });
      // A stream whose header already went out carries the error as its last event; otherwise the status says it.
      expect(view.status === fault.status || (fault.stream && !fault.failsOver && view.status === 200)).toBe(true);
      expectNoLeak(view);
      expect((await ledger.trails()).get(view.requestId)).toEqual({ request: ['success'], response: ['failure'] });
      expect((await ledger.responseOf(view.requestId))?.details).toMatchObject({ errorCode: fault.code });
    });

    if (fault.failsOver) {
      it('fails over to a healthy second endpoint of the same version', async () => {
        const hitsBefore = faulty.get(fault.name)?.hits ?? 0;
        const view = await ask(`failover-${index}`, fault.stream);

        expect({ status: view.status, text: view.text, error: view.error }).toEqual({ status: 200, text: HEALTHY_ANSWER, error: undefined });
        expect(faulty.get(fault.name)?.hits).toBe(hitsBefore + 1);
        expect((await ledger.trails()).get(view.requestId)).toEqual({ request: ['success'], response: ['success'] });
      });
    }
  });

  it('passes on why an endpoint refused a request (400) without naming the endpoint', async () => {
    const view = await ask('refusing', false);

    expect(view.status).toBe(400);
    expect(view.error).toMatchObject({ type: 'invalid_request_error', code: 'INVALID_REQUEST' });
    expect(view.error?.message).toContain('maximum context length is 2048 tokens');
    expectNoLeak(view);
    expect(faulty.get('refuses')?.hits).toBe(1);
    expect((await ledger.trails()).get(view.requestId)).toEqual({ request: ['success'], response: ['failure'] });
  });

  it('keeps serving afterwards, and the chain with every failure in it verifies', async () => {
    const view = await ask(`failover-0`, true);
    expect(view.text).toBe(HEALTHY_ANSWER);
    const report = await ledger.verify();
    expect(report.failure).toBeUndefined();
    expect(report.ok).toBe(true);
  });
});
