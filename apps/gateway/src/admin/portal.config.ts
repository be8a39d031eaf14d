import { defineConfig } from '@attest/config';
import { z } from 'zod';

/** The portal namespace: where the built portal is (a container image may put it elsewhere). */
export const portalConfig = defineConfig('portal', {
  dir: {
    env: 'ATTEST_PORTAL_DIR',
    schema: z.string().min(1).optional(),
    description: 'folder holding the built portal (index.html); default apps/portal/dist of this installation',
  },
});
