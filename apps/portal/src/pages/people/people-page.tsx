import { type KeyboardEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { GroupList } from './group-list';
import { PrincipalList } from './principal-list';
import { RoleMappingPanel } from './role-mapping-panel';
import './people.css';

const TABS = [
  { id: 'people', title: 'People' },
  { id: 'groups', title: 'Groups' },
  { id: 'mapping', title: 'Role mapping' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** The SSO test login comes back to `/portal/?testLogin=<id>#/people` (or `?testLoginError=<code>`). */
function readTestLoginParams(): { id: string | undefined; error: string | undefined } {
  const params = new URLSearchParams(window.location.search);
  return { id: params.get('testLogin') ?? undefined, error: params.get('testLoginError') ?? undefined };
}

/**
 * Users, services, groups and role-mapping rules (admins). Tabs follow the WAI-ARIA tabs pattern: one tab stop, arrow
 * keys, Home and End move between tabs; every panel stays mounted (hidden), so a search survives switching tabs.
 */
export function PeoplePage(): ReactNode {
  const [testLogin] = useState(readTestLoginParams);
  // Read once, then dropped from the address bar, so a reload or a copied link does not carry it.
  useEffect(() => {
    if (window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${window.location.hash}`);
  }, []);
  const [selected, setSelected] = useState<TabId>(testLogin.id !== undefined || testLogin.error !== undefined ? 'mapping' : 'people');
  const tabRefs = useRef(new Map<TabId, HTMLButtonElement>());

  const select = (id: TabId) => {
    setSelected(id);
    tabRefs.current.get(id)?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = TABS.findIndex((tab) => tab.id === selected);
    const target = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 }[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const tab = TABS[(target + TABS.length) % TABS.length];
    if (tab) select(tab.id);
  };

  return (
    <>
      <div role="tablist" aria-label="People and access" className="tabs">
        {TABS.map((tab) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            id={`people-tab-${tab.id}`}
            aria-selected={tab.id === selected}
            aria-controls={`people-panel-${tab.id}`}
            tabIndex={tab.id === selected ? 0 : -1}
            ref={(element) => {
              if (element) tabRefs.current.set(tab.id, element);
            }}
            onClick={() => select(tab.id)}
            onKeyDown={onKeyDown}
          >
            {tab.title}
          </button>
        ))}
      </div>
      {TABS.map((tab) => (
        <div key={tab.id} role="tabpanel" id={`people-panel-${tab.id}`} aria-labelledby={`people-tab-${tab.id}`} hidden={tab.id !== selected} tabIndex={0} className="tab-panel">
          {tab.id === 'people' ? <PrincipalList /> : null}
          {tab.id === 'groups' ? <GroupList /> : null}
          {tab.id === 'mapping' ? <RoleMappingPanel testLoginId={testLogin.id} testLoginError={testLogin.error} /> : null}
        </div>
      ))}
    </>
  );
}
