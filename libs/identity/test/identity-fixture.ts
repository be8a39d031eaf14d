import { createTestDatabase, type TestDatabase } from '@attest/db/testing';
import type { IdentityDependencies } from '../src/nest/identity.factory';
import { ManualClock, resetIdentityTables, testConfig } from './factories';
import { RecordingAuditRecorder } from './recording-audit-recorder';

export interface IdentityFixture {
  db: TestDatabase;
  audit: RecordingAuditRecorder;
  clock: ManualClock;
  /** What the identity factories take: this database, the recording audit fake, the test config, the manual clock. */
  deps: IdentityDependencies;
}

/**
 * One database per spec file, and before each test: identity tables emptied, a fresh audit recorder and clock.
 * Call it at the top of a `describe`; its `beforeEach` runs before the spec's own.
 *
 * @example
 * const fixture = useIdentityFixture();
 * beforeEach(() => { sut = createApiKeyService(fixture().deps); });
 */
export function useIdentityFixture(): () => IdentityFixture {
  let db: TestDatabase | undefined;
  let current: IdentityFixture | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());
  beforeEach(async () => {
    if (!db) throw new Error('identity fixture database missing');
    await resetIdentityTables(db.dataSource);
    const audit = new RecordingAuditRecorder();
    const clock = new ManualClock();
    current = { db, audit, clock, deps: { dataSource: db.dataSource, audit, config: testConfig(), now: clock.now } };
  });
  return () => {
    if (!current) throw new Error('useIdentityFixture() is read inside a test or hook');
    return current;
  };
}
