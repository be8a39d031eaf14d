import { defineConfig } from '@attest/config';
import { z } from 'zod';

/** Where the auditor console's finished evidence exports wait to be fetched (see AuditJobsService). */
export const auditJobsConfig = defineConfig('auditJobs', {
  dataDir: {
    env: 'ATTEST_DATA_DIR',
    schema: z.string().min(1).default('.attest'),
    description: 'folder for local state; finished evidence exports wait in its audit-jobs/ subfolder (mode 0600) for 15 minutes',
  },
});
