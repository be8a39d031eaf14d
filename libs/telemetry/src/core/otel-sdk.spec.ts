import { otelExportConfigured, startTelemetry, tracingActive } from './otel-sdk';

describe('startTelemetry', () => {
  it('counts an OTLP endpoint or any exporter other than none as configured', () => {
    expect(otelExportConfigured({})).toBe(false);
    expect(otelExportConfigured({ OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', OTEL_SERVICE_NAME: 'x' })).toBe(false);
    expect(otelExportConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(otelExportConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(otelExportConfigured({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(otelExportConfigured({ OTEL_METRICS_EXPORTER: 'prometheus' })).toBe(true);
  });

  it('starts no SDK, and so records no span, when nothing would be exported', async () => {
    const env: NodeJS.ProcessEnv = {};
    const telemetry = startTelemetry(env);
    expect(tracingActive()).toBe(false);
    expect(env).toEqual({});
    await telemetry.shutdown();
    startTelemetry({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' });
    expect(tracingActive()).toBe(false);
  });
});
