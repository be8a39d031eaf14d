export { importEsm } from './lib/import-esm';
export { describeError } from './lib/describe-error';
