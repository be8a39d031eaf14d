import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = () => trace.getTracer('attest');

/**
 * Runs `work` inside a child span of the active trace. Attributes must never carry prompt, response or PII values.
 * Without a registered SDK the API is a no-op, so libraries call this freely.
 *
 * @example
 * const decision = await inSpan('policy.decide', { 'attest.policy.bundle': sha }, () => engine.decide(request));
 */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T> | T): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : 'error' });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** The current trace id (W3C), for audit events and log lines; undefined outside a sampled trace. */
export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && context.traceId !== '00000000000000000000000000000000' ? context.traceId : undefined;
}
