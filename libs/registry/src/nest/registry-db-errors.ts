import { RegistryError, RegistryErrorCode } from '../core/registry.errors';

interface PgError {
  code?: string;
  constraint?: string;
  message?: string;
}

function pgErrorOf(error: unknown): PgError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driverError = (error as { driverError?: unknown }).driverError;
  const source = (typeof driverError === 'object' && driverError !== null ? driverError : error) as PgError;
  return typeof source.code === 'string' ? source : undefined;
}

/**
 * Turns what the database refused (the migration's triggers and constraints, SQLSTATE AT001..AT004) into registry
 * errors, so a guard that fires in SQL reads the same as one the service caught first.
 */
export function translateDatabaseError(error: unknown, label: string): unknown {
  if (error instanceof RegistryError) return error;
  const pg = pgErrorOf(error);
  if (!pg) return error;
  const detail = pg.message ?? 'refused by the database';
  switch (pg.code ?? '') {
    case 'AT001':
    case 'AT004':
      return new RegistryError(RegistryErrorCode.Immutable, `${label}: ${detail}`, { cause: error });
    case 'AT002':
      return new RegistryError(RegistryErrorCode.InvalidTransition, `${label}: ${detail}`, { cause: error });
    case 'AT003':
      return new RegistryError(RegistryErrorCode.VersionInUse, `${label}: ${detail}`, { cause: error });
    case '23505':
      return pg.constraint === 'model_version_model_id_version_key'
        ? new RegistryError(RegistryErrorCode.DuplicateVersion, `${label} already exists: a change is a new version`, { cause: error })
        : new RegistryError(RegistryErrorCode.InvalidInput, `${label}: ${detail}`, { cause: error });
    case '23514':
      return pg.constraint === 'model_version_four_eyes'
        ? new RegistryError(RegistryErrorCode.FourEyesRequired, `${label}: the registrant cannot approve it`, { cause: error })
        : new RegistryError(RegistryErrorCode.InvalidInput, `${label}: ${detail}`, { cause: error });
    case '23503':
      return new RegistryError(RegistryErrorCode.InvalidInput, `${label}: ${detail} (does the tenant exist?)`, { cause: error });
    default:
      return error;
  }
}

/** Runs `work`, translating database refusals. */
export async function translatingDatabaseErrors<T>(label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateDatabaseError(error, label);
  }
}
