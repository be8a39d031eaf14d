import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startE2eGateway, type E2eGateway } from './support/e2e-gateway';

const POLICIES = join(__dirname, '..', '..', '..', 'policies');

// What the gateway tells Cedar about where a request comes from and how big it is: an enterprise rule that keeps
// large prompts and anything from outside its networks away from a model, written against context.sourceNetwork and
// context.estimatedTokens, and proved both ways.
const NETWORK_RULES = `@id("site.internal-networks-only")
@reason("this model answers only clients on the company's networks")
forbid (principal, action in Action::"inference", resource is Model)
when { context has sourceNetwork && context.sourceNetwork == "internet" };

@id("site.short-prompts-only")
@reason("prompts over 100 tokens need the batch service")
forbid (principal, action in Action::"inference", resource is Model)
when { context has estimatedTokens && context.estimatedTokens > 100 };
`;

describe('the policy context: source network and estimated tokens', () => {
  let policyDir: string;
  const gateways: E2eGateway[] = [];

  async function gatewayWith(zones: string): Promise<OpenAI> {
    const gateway = await startE2eGateway({ ATTEST_POLICY_DIR: policyDir, ATTEST_POLICY_NETWORK_ZONES: zones });
    gateways.push(gateway);
    return new OpenAI({ apiKey: gateway.adminKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
  }

  const ask = (client: OpenAI, content: string) =>
    client.chat.completions.create({ model: 'stories260k', messages: [{ role: 'user', content }], max_tokens: 2 }).then(
      () => 'allowed',
      (error: unknown) => (error instanceof OpenAI.PermissionDeniedError ? `denied: ${error.message}` : Promise.reject(error)),
    );

  beforeAll(() => {
    policyDir = mkdtempSync(join(tmpdir(), 'attest-policies-'));
    cpSync(POLICIES, policyDir, { recursive: true });
    rmSync(join(policyDir, 'tests'), { recursive: true, force: true });
    writeFileSync(join(policyDir, 'site-networks.cedar'), NETWORK_RULES);
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    rmSync(policyDir, { recursive: true, force: true });
  });

  it('names the client network from ATTEST_POLICY_NETWORK_ZONES, and an unlisted address is the internet', async () => {
    const listed = await gatewayWith('{"internal":["127.0.0.0/8","::1/128"]}');
    expect(await ask(listed, 'Once upon a time')).toBe('allowed');
    const unlisted = await gatewayWith('{"internal":["10.0.0.0/8"]}');
    expect(await ask(unlisted, 'Once upon a time')).toContain('site.internal-networks-only');
  });

  it('estimates the prompt tokens before inference, for size rules', async () => {
    const client = await gatewayWith('{"internal":["127.0.0.0/8","::1/128"]}');
    expect(await ask(client, 'word '.repeat(60))).toBe('allowed');
    expect(await ask(client, 'word '.repeat(100))).toContain('site.short-prompts-only');
  });
});
