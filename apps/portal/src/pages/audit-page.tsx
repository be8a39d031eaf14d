import { type ReactNode, useState } from 'react';
import { EventDetailPanel, EventLookup } from './audit/event-detail';
import { EventList } from './audit/event-list';
import { ExportEvidence } from './audit/export-evidence';
import { SavedSearches } from './audit/saved-searches';
import { VerifyLog } from './audit/verify-log';

/** Read-only: auditors look and verify, never change; each look is itself recorded in the log. */
export function AuditPage(): ReactNode {
  const [openId, setOpenId] = useState<string>();
  // The applied search: the list shows it, a saved search replaces it, the export applies it.
  const [filter, setFilter] = useState<Record<string, string>>({});
  return (
    <>
      <p>Every search, view, verification and export here is recorded in the audit log under your name.</p>
      <EventLookup onOpen={setOpenId} />
      {openId ? <EventDetailPanel id={openId} /> : null}
      <EventList filter={filter} onSearch={setFilter} onOpen={setOpenId} />
      <SavedSearches filter={filter} onApply={setFilter} />
      <VerifyLog />
      <ExportEvidence filter={filter} />
    </>
  );
}
