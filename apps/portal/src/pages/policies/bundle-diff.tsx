import { type ReactNode } from 'react';
import { api } from '../../api/http';
import { policySourcesSchema } from '../../api/schemas';
import { ErrorMessage } from '../../components/feedback';
import { diffFiles, type FileDiff, withContext } from '../../components/line-diff';
import { useLoad } from '../../components/use-load';

export const shortSha = (sha256: string): string => sha256.slice(0, 12);

const CHANGE_TEXT = { added: 'added', removed: 'removed', same: '' } as const;

function FileChanges({ file }: { file: FileDiff }): ReactNode {
  const what = file.status === 'changed' ? `${file.added} added, ${file.removed} removed` : `file ${file.status}`;
  return (
    <table className="diff">
      <caption>
        <code>{file.path}</code>: {what}
      </caption>
      <thead>
        <tr>
          <th scope="col">Line before</th>
          <th scope="col">Line after</th>
          <th scope="col">Change</th>
          <th scope="col">Text</th>
        </tr>
      </thead>
      <tbody>
        {withContext(file.lines).map((line, index) =>
          line.kind === 'skipped' ? (
            <tr key={index} className="skipped">
              <td colSpan={4}>
                ⋯ {line.count} unchanged line{line.count === 1 ? '' : 's'}
              </td>
            </tr>
          ) : (
            <tr key={index} className={line.kind}>
              <td>{line.oldLine ?? ''}</td>
              <td>{line.newLine ?? ''}</td>
              <td>{CHANGE_TEXT[line.kind]}</td>
              <td className="diff-text">{line.kind === 'added' ? <ins>{line.text}</ins> : line.kind === 'removed' ? <del>{line.text}</del> : line.text}</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}

/** What changed from a chosen bundle to the active one, file by file, with three lines of context. */
export function BundleDiff({ from, to }: { from: string; to: string }): ReactNode {
  const sources = useLoad(() =>
    Promise.all([
      api('GET', `/api/admin/policies/${encodeURIComponent(from)}`, policySourcesSchema),
      api('GET', `/api/admin/policies/${encodeURIComponent(to)}`, policySourcesSchema),
    ]),
  );
  const files = sources.data ? diffFiles(sources.data[0].files, sources.data[1].files) : [];
  const changed = files.filter((file) => file.status !== 'unchanged');
  const added = changed.reduce((sum, file) => sum + file.added, 0);
  const removed = changed.reduce((sum, file) => sum + file.removed, 0);
  return (
    <section className="panel" aria-labelledby="diff-heading" aria-busy={sources.loading}>
      <h3 id="diff-heading">
        Changes from <code>{shortSha(from)}</code> to the active bundle <code>{shortSha(to)}</code>
      </h3>
      <ErrorMessage error={sources.error} />
      {sources.loading ? <p aria-live="polite">Loading both bundles…</p> : null}
      {sources.data ? (
        <p role="status" data-testid="diff-summary">
          {changed.length === 0
            ? 'The two bundles have the same files: nothing changed.'
            : `${added} line${added === 1 ? '' : 's'} added and ${removed} removed in ${changed.length} file${changed.length === 1 ? '' : 's'}; ${files.length - changed.length} file${files.length - changed.length === 1 ? '' : 's'} unchanged.`}
        </p>
      ) : null}
      {changed.map((file) => (
        <FileChanges key={file.path} file={file} />
      ))}
    </section>
  );
}
