/** The one thing repositories need: a DataSource or a transaction's EntityManager both satisfy it. */
export interface SqlRunner {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/** TypeORM's postgres driver answers UPDATE and DELETE with `[rows, affectedCount]`, SELECT and INSERT with `rows`. */
export function returnedRows<T>(result: T[] | [T[], number]): T[] {
  return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
}

/** The row a RETURNING statement must have produced; its absence is a bug, not a user error. */
export function onlyRow<T>(rows: T[], statement: string): T {
  const [row] = rows;
  if (row === undefined) throw new Error(`${statement} returned no row`);
  return row;
}
