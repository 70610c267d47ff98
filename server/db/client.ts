/**
 * Opens the database: postgres.js when a URL is given, otherwise an embedded PGlite in a data
 * folder. Both return the same drizzle `Database` type, so services never know which one runs.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DatabaseHandle = {
  db: Database;
  kind: "postgres" | "pglite";
  close: () => Promise<void>;
};

export type OpenDatabaseOptions = {
  url?: string;
  dataDir?: string;
  maxConnections?: number;
  /** Give up on a new connection after this long (postgres.js waits 30 s by default). */
  connectTimeoutSeconds?: number;
  /**
   * Server-side limit on one statement and on a transaction left idle; unset = none. With these two,
   * a database that stops answering costs a request seconds, not minutes (errors → 503, see unavailable.ts).
   */
  statementTimeoutMs?: number;
};

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const timeouts = options.statementTimeoutMs
      ? { statement_timeout: options.statementTimeoutMs, idle_in_transaction_session_timeout: options.statementTimeoutMs }
      : {};
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: options.connectTimeoutSeconds ?? 30,
      connection: { application_name: "x3ui-fleet", ...timeouts },
    });
    return { db: drizzle(client, { schema, casing: "snake_case" }), kind: "postgres", close: () => client.end({ timeout: 5 }) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  let client: InstanceType<typeof PGlite>;
  if (options.dataDir) {
    const dir = path.resolve(options.dataDir, "pglite");
    mkdirSync(dir, { recursive: true });
    client = new PGlite(dir);
  } else {
    client = new PGlite();
  }
  await client.waitReady;
  return { db: drizzle(client, { schema, casing: "snake_case" }), kind: "pglite", close: () => client.close() };
}
