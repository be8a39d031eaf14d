import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { NestInstrumentation } from '@opentelemetry/instrumentation-nestjs-core';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';

let sdkRunning = false;

/** Whether the OpenTelemetry SDK runs in this process (spans are recorded and the active span carries the trace). */
export function tracingActive(): boolean {
  return sdkRunning;
}

const configured = (value: string | undefined): boolean => Boolean(value) && value !== 'none';

/**
 * True when the operator configured somewhere to send telemetry through the standard variables: an OTLP endpoint, or
 * a traces, metrics or logs exporter other than `none`.
 */
export function otelExportConfigured(env: NodeJS.ProcessEnv): boolean {
  return (
    configured(env['OTEL_EXPORTER_OTLP_ENDPOINT']) ||
    configured(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) ||
    configured(env['OTEL_TRACES_EXPORTER']) ||
    configured(env['OTEL_METRICS_EXPORTER']) ||
    configured(env['OTEL_LOGS_EXPORTER'])
  );
}

/**
 * Starts OpenTelemetry when the operator configured an exporter through the standard variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME, ...). With none set the SDK is not started at
 * all: its http, Nest and pg instrumentations would record spans that go nowhere, at about 2 ms of CPU per governed
 * request (bench/overhead/README.md); spans are then no-ops, and log lines take the client's W3C trace id from its
 * `traceparent` header instead (logging.ts).
 */
export function startTelemetry(env: NodeJS.ProcessEnv = process.env): { shutdown(): Promise<void> } {
  if (env['OTEL_SDK_DISABLED'] === 'true' || !otelExportConfigured(env)) return { shutdown: async () => undefined };
  env['OTEL_TRACES_EXPORTER'] ??= configured(env['OTEL_EXPORTER_OTLP_ENDPOINT']) || configured(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']) ? 'otlp' : 'none';
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
  sdkRunning = true;
  return {
    shutdown: async () => {
      sdkRunning = false;
      await sdk.shutdown();
    },
  };
}
