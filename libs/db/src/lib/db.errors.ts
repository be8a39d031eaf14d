/** Stable codes for database start-up failures; the CLI prints them and exits non-zero. */
export enum DatabaseErrorCode {
  Unreachable = 'DB_UNREACHABLE',
  SchemaTooNew = 'DB_SCHEMA_TOO_NEW',
  EmbeddedStartFailed = 'DB_EMBEDDED_START_FAILED',
  DataDirUnusable = 'DB_DATA_DIR_UNUSABLE',
}

export class DatabaseError extends Error {
  constructor(
    readonly code: DatabaseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}
