import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BUILTIN_MODEL } from '../core/builtin-model';
import { verifyFileSha256 } from '../core/file-digest';
import { readGgufMetadata } from '../core/gguf/gguf-reader';
import { SYSTEM_ACTOR } from '../core/registry-actor';
import { inTransaction, recordAct, versionResource, type RegistryContext } from './registry-context';

/** The release process approved the built-in model; it is the recorded approver, distinct from the registrant. */
export const BUILTIN_APPROVER = 'system:release';

/**
 * On first start with an empty registry, registers the committed demo model as an active version, so a fresh clone
 * can answer a chat request. Replicas starting together serialise on an advisory lock; only the first registers.
 */
export class BuiltinModelInstaller {
  constructor(private readonly context: RegistryContext) {}

  async ensure(log: (line: string) => void): Promise<void> {
    const path = this.context.builtinModelPath;
    if (!existsSync(path)) {
      log(`registry: the built-in demo model is missing at ${path}; set ATTEST_BUILTIN_MODEL_PATH or register a model with the CLI`);
      return;
    }
    const { repository } = this.context;
    await inTransaction(this.context, async (db) => {
      await db.query(`SELECT pg_advisory_xact_lock(hashtext('attest.registry.builtin-model'))`);
      if ((await repository.countVersions(db)) > 0) return;
      // A tampered demo file must not become an approved model.
      const digest = await verifyFileSha256(path, BUILTIN_MODEL.sha256);
      const gguf = await readGgufMetadata(path);
      const readme = join(dirname(path), 'README.md');
      const card = existsSync(readme) ? await readFile(readme, 'utf8') : '';
      const model = await repository.ensureModel(db, SYSTEM_ACTOR.tenant, BUILTIN_MODEL.name);
      const id = await repository.insertVersion(db, {
        modelId: model.id,
        version: 1,
        status: 'active',
        source: { kind: 'local_gguf', path: BUILTIN_MODEL.storedPath },
        sha256: digest.sha256,
        size: digest.size,
        gguf,
        licence: BUILTIN_MODEL.licence,
        deployment: 'on_prem',
        audience: 'internal',
        domain: 'demo',
        dataClassification: 'internal',
        samplingLimits: { maxTokens: 256 },
        card,
        registeredBy: SYSTEM_ACTOR.id,
        registeredByPrincipal: null,
        approvedBy: BUILTIN_APPROVER,
      });
      await repository.insertApproval(db, id, BUILTIN_APPROVER, null, [], 'built-in demo model shipped with Attest (models/builtin/README.md)');
      const [version] = await repository.findVersionsByIds(db, [id]);
      if (!version) throw new Error('the built-in model version vanished inside its own transaction');
      await recordAct(this.context, SYSTEM_ACTOR, 'model_version.registered', 'success', versionResource(version), {
        builtin: true,
        status: 'active',
        approvedBy: BUILTIN_APPROVER,
        licence: BUILTIN_MODEL.licence,
      });
      log(`registry: registered the built-in demo model ${BUILTIN_MODEL.name}@1 (${BUILTIN_MODEL.licence}, sha256 ${digest.sha256.slice(0, 12)}…) as active`);
    });
  }
}
