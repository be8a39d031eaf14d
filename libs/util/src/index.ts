export { importEsm } from './lib/import-esm';
