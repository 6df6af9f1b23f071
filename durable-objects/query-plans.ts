// For the query-plan tests (agent/ and catalog/): the statements an operation really runs, recorded inside
// the object, and what SQLite plans for each, so a test can fail on a read that grows with the table.

export interface PlannedStatement {
  query: string;
  plan: string[];
}

/** Runs `fn` inside the object, recording every statement run through `sql` meanwhile, each with its plan. */
export async function plannedStatements(sql: SqlStorage, fn: () => unknown): Promise<PlannedStatement[]> {
  const seen: { query: string; bindings: unknown[] }[] = [];
  const exec = sql.exec;
  sql.exec = ((query: string, ...bindings: unknown[]) => (seen.push({ query, bindings }), exec.call(sql, query, ...bindings))) as SqlStorage['exec'];
  try {
    await fn();
  } finally {
    sql.exec = exec;
  }
  return seen.map(({ query, bindings }) => ({
    query: query.replace(/\s+/g, ' ').trim(),
    plan: sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, ...bindings).toArray().map((r) => r.detail),
  }));
}
