import { GatewayMetrics } from './gateway-metrics';

/** Parses the Prometheus text format by its own rules: `# HELP`, `# TYPE`, then `name{labels} value` samples. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    samples.set(match[1] ?? '', Number(match[2]));
  }
  return samples;
}

describe(GatewayMetrics.name, () => {
  it('exposes counters and histograms in valid Prometheus text format', async () => {
    const sut = new GatewayMetrics({ processMetrics: false });
    sut.requests.inc({ operation: 'chat', model: 'stories260k', outcome: 'success' });
    sut.requests.inc({ operation: 'chat', model: 'stories260k', outcome: 'success' });
    sut.tokens.inc({ model: 'stories260k', direction: 'out' }, 16);
    sut.requestDuration.observe({ operation: 'chat', model: 'stories260k', outcome: 'success' }, 0.2);
    sut.policyDenials.inc({ policy_id: 'business-hours' });

    const samples = parseExposition(await sut.exposition());
    expect(samples.get('attest_requests_total{operation="chat",model="stories260k",outcome="success"}')).toBe(2);
    expect(samples.get('attest_tokens_total{model="stories260k",direction="out"}')).toBe(16);
    expect(samples.get('attest_request_duration_seconds_count{operation="chat",model="stories260k",outcome="success"}')).toBe(1);
    expect(samples.get('attest_request_duration_seconds_bucket{le="0.25",operation="chat",model="stories260k",outcome="success"}')).toBe(1);
    expect(samples.get('attest_policy_denials_total{policy_id="business-hours"}')).toBe(1);
    expect(sut.contentType).toContain('text/plain');
  });

  it('includes what libs register on the process-wide registry', async () => {
    const { Counter, register } = await import('prom-client');
    const shared = new Counter({ name: 'attest_spec_shared_total', help: 'spec', registers: [register] });
    shared.inc(3);
    try {
      const sut = new GatewayMetrics({ processMetrics: false });
      expect(parseExposition(await sut.exposition()).get('attest_spec_shared_total')).toBe(3);
    } finally {
      register.removeSingleMetric('attest_spec_shared_total');
    }
  });

  it('includes process metrics by default', async () => {
    const sut = new GatewayMetrics();
    expect(await sut.exposition()).toContain('attest_process_cpu_seconds_total');
  });
});
