import { type ReactNode, useState } from 'react';
import { EventDetailPanel, EventLookup } from './audit/event-detail';
import { EventList } from './audit/event-list';
import { ExportEvidence } from './audit/export-evidence';
import { VerifyLog } from './audit/verify-log';

/** Read-only: auditors look and verify, never change; each look is itself recorded in the log. */
export function AuditPage(): ReactNode {
  const [openId, setOpenId] = useState<string>();
  return (
    <>
      <p>Every search, view, verification and export here is recorded in the audit log under your name.</p>
      <EventLookup onOpen={setOpenId} />
      {openId ? <EventDetailPanel id={openId} /> : null}
      <EventList onOpen={setOpenId} />
      <VerifyLog />
      <ExportEvidence />
    </>
  );
}
