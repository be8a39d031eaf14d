import type { GgufMetadata } from '@attest/registry';
import type { AliasRecord, AliasRevisionRecord, VersionRecord } from '@attest/registry/nest';

function size(bytes: number | null): string {
  if (bytes === null) return '-';
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(2)} GiB` : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

export function describeGguf(gguf: GgufMetadata | null): string {
  if (!gguf) return 'remote';
  const context = gguf.contextLength === undefined ? '' : ` ctx ${gguf.contextLength}`;
  return `${gguf.architecture} ${gguf.quantisation.name} ${gguf.parameterCount.toLocaleString('en-US')} params${context}`;
}

export function formatVersion(version: VersionRecord): string {
  const digest = version.sha256 ? `sha256:${version.sha256.slice(0, 12)}` : version.source.kind === 'remote_openai' ? version.source.endpoints.join(',') : '-';
  const approval = version.approvedBy ? `approved by ${version.approvedBy}` : 'not approved';
  const adapters = version.loraAdapters.length ? `  lora ${version.loraAdapters.map((adapter) => adapter.name).join(',')}` : '';
  return `${version.model}@${version.version}  ${version.status}  ${digest}  ${size(version.size)}  ${describeGguf(version.gguf)}  licence ${version.licence ?? 'unknown'}  registered by ${version.registeredBy}  ${approval}${adapters}`;
}

export function formatAlias(alias: Pick<AliasRecord, 'name' | 'revision' | 'targets'>): string {
  return `${alias.name} -> ${alias.targets.map((target) => `${target.model}@${target.version}:${target.weight}`).join(', ')}  (revision ${alias.revision})`;
}

export function formatRevision(entry: AliasRevisionRecord): string {
  const restored = entry.restoredRevision === null ? '' : `  restores ${entry.restoredRevision}`;
  return `${entry.revision}  ${entry.createdAt.toISOString()}  ${entry.actor}  ${entry.targets.map((target) => `${target.model}@${target.version}:${target.weight}`).join(', ')}${restored}${entry.reason ? `  "${entry.reason}"` : ''}`;
}

export function formatMetadata(path: string, gguf: GgufMetadata): string {
  const lines = [
    `${path}: GGUF v${gguf.version}, ${gguf.fileSize} bytes`,
    `  architecture   ${gguf.architecture}`,
    `  name           ${gguf.name ?? '-'}`,
    `  parameters     ${gguf.parameterCount.toLocaleString('en-US')}`,
    `  quantisation   ${gguf.quantisation.name} (from ${gguf.quantisation.source})`,
    `  context        ${gguf.contextLength ?? '-'}`,
    `  licence        ${gguf.licence ?? '-'}`,
    `  chat template  ${gguf.chatTemplate === undefined ? 'none' : `${gguf.chatTemplate.length} characters`}`,
    `  tensors        ${gguf.tensorCount}`,
  ];
  return `${lines.join('\n')}\n`;
}
