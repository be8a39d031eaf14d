import { type ReactNode, useState } from 'react';
import { type PolicyBundlesView } from '../../api/schemas';
import { formatDate } from '../../components/feedback';
import { BundleDiff, shortSha } from './bundle-diff';

/** Every stored bundle, newest activation first, and a line diff of any of them against the active one. */
export function PolicyHistory({ view }: { view: PolicyBundlesView }): ReactNode {
  const [chosen, setChosen] = useState<string>();
  const activeStored = view.bundles.some((bundle) => bundle.sha256 === view.activeSha256);
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">History</h2>
      {view.bundles.length === 0 ? (
        <p>
          No bundle has been activated: the gateway decides with the policy folder. Activate one with <code>attest policies activate</code>; each activation then
          appears here, and you can compare any of them with the active bundle.
        </p>
      ) : (
        <>
          {activeStored ? null : <p>The active bundle comes from the policy folder and is not stored; comparisons use its files all the same.</p>}
          <table>
            <caption>Policy bundles (newest activation first)</caption>
            <thead>
              <tr>
                <th scope="col">SHA-256</th>
                <th scope="col">Activated</th>
                <th scope="col">Activated by</th>
                <th scope="col">Stored</th>
                <th scope="col">Signed</th>
                <th scope="col">Compare</th>
              </tr>
            </thead>
            <tbody>
              {view.bundles.map((bundle) => (
                <tr key={bundle.id}>
                  <th scope="row">
                    <code>{bundle.sha256}</code>
                  </th>
                  <td>{bundle.activatedAt ? formatDate(bundle.activatedAt) : 'never'}</td>
                  <td>{bundle.activatedBy ? bundle.activatedBy.displayName : bundle.activatedAt ? 'the CLI (see its policy_bundle.activated event)' : '—'}</td>
                  <td>{formatDate(bundle.createdAt)}</td>
                  <td>{bundle.signed ? 'yes' : 'no'}</td>
                  <td>
                    {bundle.sha256 === view.activeSha256 ? (
                      'active now'
                    ) : (
                      <button type="button" onClick={() => setChosen(bundle.sha256)} aria-label={`Compare with active: ${shortSha(bundle.sha256)}`}>
                        Compare with active
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {chosen ? <BundleDiff key={chosen} from={chosen} to={view.activeSha256} /> : null}
    </section>
  );
}
