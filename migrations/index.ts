import { InitialSchema1795613500000 } from './1795613500000-initial-schema';

/** Every migration, oldest first. Listed explicitly so jest, ts-node and compiled builds load the same set. */
export const allMigrations = [InitialSchema1795613500000];
