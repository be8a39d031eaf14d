import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

/**
 * Starts OpenTelemetry when the operator configured an exporter through the standard variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME, ...). With none set nothing is exported, but
 * W3C trace context from clients is still honoured by the HTTP instrumentation.
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): { shutdown(): Promise<void> } {
  if (env['OTEL_SDK_DISABLED'] === 'true') return { shutdown: async () => undefined };
  const exporting = Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] || env['OTEL_TRACES_EXPORTER']);
  if (!exporting) env['OTEL_TRACES_EXPORTER'] = 'none';
  env['OTEL_METRICS_EXPORTER'] ??= 'none';
  env['OTEL_LOGS_EXPORTER'] ??= 'none';
  env['OTEL_SERVICE_NAME'] ??= 'attest-gateway';
  const sdk = new NodeSDK({
    instrumentations: [
      // Request and response bodies are never captured: only method, route, status and timings.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => request.url === '/metrics' || request.url === '/healthz' }),
      new NestInstrumentation(),
      new PgInstrumentation({ enhancedDatabaseReporting: false }),
    ],
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}
