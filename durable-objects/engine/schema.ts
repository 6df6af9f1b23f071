// The Datacenter's SQLite schema as append-only migrations, applied in the constructor.
// PRAGMA user_version is not available to Durable Objects, so applied ids live in a table.

export interface Migration {
  id: number;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    sql: `
      CREATE TABLE index_rows (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE nodes (
        node TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        id TEXT NOT NULL,
        address TEXT NOT NULL,
        tagged_addresses TEXT NOT NULL,
        meta TEXT NOT NULL,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE TABLE services (
        node TEXT NOT NULL COLLATE NOCASE,
        service_id TEXT NOT NULL COLLATE NOCASE,
        service_name TEXT NOT NULL COLLATE NOCASE,
        body TEXT NOT NULL,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL,
        PRIMARY KEY (node, service_id)
      );
      CREATE INDEX services_by_name ON services (service_name);
      CREATE TABLE checks (
        node TEXT NOT NULL COLLATE NOCASE,
        check_id TEXT NOT NULL COLLATE NOCASE,
        service_id TEXT NOT NULL COLLATE NOCASE,
        status TEXT NOT NULL,
        output TEXT NOT NULL,
        body TEXT NOT NULL,
        critical_since INTEGER,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL,
        PRIMARY KEY (node, check_id)
      );
      CREATE INDEX checks_by_service ON checks (node, service_id);
      CREATE INDEX checks_by_status ON checks (status);
    `,
  },
  {
    id: 2,
    sql: `
      CREATE TABLE kvs (
        key TEXT NOT NULL PRIMARY KEY,
        value BLOB,
        flags TEXT NOT NULL,
        session TEXT,
        lock_index INTEGER NOT NULL,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE INDEX kvs_by_session ON kvs (session) WHERE session IS NOT NULL;
      CREATE TABLE tombstones (key TEXT NOT NULL PRIMARY KEY, modify_index INTEGER NOT NULL, deleted_at INTEGER NOT NULL);
      CREATE TABLE sessions (
        id TEXT NOT NULL PRIMARY KEY,
        name TEXT NOT NULL,
        node TEXT NOT NULL COLLATE NOCASE,
        lock_delay_ms REAL NOT NULL,
        behavior TEXT NOT NULL,
        ttl TEXT NOT NULL,
        ttl_ms REAL NOT NULL,
        node_checks TEXT NOT NULL,
        service_checks TEXT,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE INDEX sessions_by_node ON sessions (node);
      CREATE TABLE session_checks (
        session_id TEXT NOT NULL,
        node TEXT NOT NULL COLLATE NOCASE,
        check_id TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (session_id, check_id)
      );
      CREATE INDEX session_checks_by_check ON session_checks (node, check_id);
    `,
  },
  {
    // Prepared queries (Consul's prepared-queries table). Id 2 is KV and sessions; keep the array sorted by id.
    id: 3,
    sql: `
      CREATE TABLE prepared_queries (
        id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL COLLATE NOCASE,
        body TEXT NOT NULL,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX prepared_queries_by_name ON prepared_queries (name) WHERE name != '';
    `,
  },
  {
    // User events: a ring of the newest 256, keyed by Lamport time.
    id: 4,
    sql: `
      CREATE TABLE user_events (
        ltime INTEGER NOT NULL PRIMARY KEY,
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        payload BLOB,
        node_filter TEXT NOT NULL,
        service_filter TEXT NOT NULL,
        tag_filter TEXT NOT NULL
      );
      CREATE INDEX user_events_by_name ON user_events (name, ltime);
    `,
  },
  {
    // ACLs (Consul's acl-tokens, acl-policies, acl-roles tables). Only the primary datacenter's object holds
    // policies, roles and global tokens; a `Local` token lives in its own datacenter's object.
    id: 5,
    sql: `
      CREATE TABLE acl_tokens (
        accessor_id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        secret_id TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL,
        expires_at INTEGER,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE TABLE acl_policies (
        id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        body TEXT NOT NULL,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE TABLE acl_roles (
        id TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        body TEXT NOT NULL,
        create_index INTEGER NOT NULL,
        modify_index INTEGER NOT NULL
      );
      CREATE TABLE acl_state (name TEXT NOT NULL PRIMARY KEY, value INTEGER NOT NULL);
    `,
  },
];

export function migrate(sql: SqlStorage, migrations: Migration[] = MIGRATIONS): void {
  sql.exec('CREATE TABLE IF NOT EXISTS migrations (id INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied = new Set(sql.exec<{ id: number }>('SELECT id FROM migrations').toArray().map((r) => r.id));
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    sql.exec(m.sql);
    sql.exec('INSERT INTO migrations (id, applied_at) VALUES (?, ?)', m.id, Date.now());
  }
}
