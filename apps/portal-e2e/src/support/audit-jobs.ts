// The same job client as the gateway's end-to-end suite: one implementation for both.
export * from '../../../gateway-e2e/src/support/audit-jobs';
