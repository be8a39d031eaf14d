export {
  createTestDatabase,
  createTemplateDatabase,
  createEmptyDatabase,
  dropDatabase,
  databaseUrl,
  TEST_ADMIN_URL_ENV,
  TEST_TEMPLATE_DB_ENV,
} from './lib/test-database';
export type { TestDatabase } from './lib/test-database';
