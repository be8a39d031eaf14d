// Public API of @attest/telemetry: metrics, spans and the OpenTelemetry bootstrap.
export { GatewayMetrics } from './core/gateway-metrics';
export { startTelemetry } from './core/otel-sdk';
export { currentTraceId, inSpan } from './core/tracing';
export { requestIdOf } from './core/request-id';
