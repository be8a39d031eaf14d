import { startTelemetry } from '@attest/telemetry';

/** Loaded before anything else so OpenTelemetry can instrument http, pg and Nest as they are first required. */
export const telemetry = startTelemetry();
