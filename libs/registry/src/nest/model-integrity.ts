import { Counter, register } from 'prom-client';
import { verifyFileSha256, type HashProgress } from '../core/file-digest';
import { type RegistryActor } from '../core/registry-actor';
import { RegistryError, RegistryErrorCode } from '../core/registry.errors';
import type { ResolvedModel } from '../core/resolved-model';
import { recordAct, type RegistryContext } from './registry-context';

const METRIC = 'attest_model_integrity_failures_total';

/** The alert metric: any increase means weights on disk differ from what was approved. */
function failureCounter(): Counter<'model' | 'version'> {
  const existing = register.getSingleMetric(METRIC);
  if (existing) return existing as Counter<'model' | 'version'>;
  return new Counter({ name: METRIC, help: 'Model files whose sha256 did not match the registry before load', labelNames: ['model', 'version'] });
}

/**
 * Hashes a local version's weights (and adapters) before load and compares them with the registry. A mismatch
 * refuses the version, counts the alert metric and is audited; a match is audited too, as load evidence.
 */
export class ModelIntegrity {
  private readonly failures = failureCounter();

  constructor(private readonly context: RegistryContext) {}

  async verify(resolved: ResolvedModel, actor: RegistryActor, onProgress?: HashProgress): Promise<void> {
    if (resolved.source.kind !== 'local_gguf') return;
    const files = [
      { path: resolved.source.path, sha256: resolved.sha256 },
      ...resolved.loraAdapters.map((adapter) => ({ path: adapter.path, sha256: adapter.sha256 })),
    ];
    const resource = { type: 'model_version', id: resolved.versionId, name: resolved.modelName, version: String(resolved.version), ...(resolved.sha256 ? { sha256: resolved.sha256 } : {}) };
    for (const file of files) {
      try {
        if (!file.sha256) throw new RegistryError(RegistryErrorCode.IntegrityMismatch, `${file.path} has no pinned sha256 in the registry`);
        await verifyFileSha256(file.path, file.sha256, onProgress);
      } catch (error) {
        if (error instanceof RegistryError) {
          this.failures.inc({ model: resolved.modelName, version: String(resolved.version) });
          await recordAct(this.context, actor, 'model_version.integrity_failed', 'failure', resource, { file: file.path, reason: error.code, message: error.message });
        }
        throw error;
      }
    }
    await recordAct(this.context, actor, 'model_version.integrity_verified', 'success', resource, { files: files.length });
  }
}
