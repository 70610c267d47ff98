/**
 * Opens the database: postgres.js when a URL is given, otherwise an embedded PGlite in a data
 * folder. Both return the same drizzle `Database` type, so services never know which one runs.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import * as schema from "./schema";
import { isConnectionLost } from "./unavailable";

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
    const url = options.url;
    const pool = renewablePool(() =>
      postgres(url, {
        max: options.maxConnections ?? 10,
        onnotice: () => {},
        connect_timeout: options.connectTimeoutSeconds ?? 30,
        connection: { application_name: "x3ui-fleet", ...timeouts },
      }),
    );
    return { db: drizzle(pool.sql, { schema, casing: "snake_case" }), kind: "postgres", close: pool.end };
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

/**
 * postgres.js (3.4.9) wedges a pool when a connection dies inside a transaction — a restart, a
 * terminated backend, a cut network: its rollback is written to the dead connection, which then
 * never takes a query again, so a few such transactions stall every later query for good. The
 * app talks to `sql`, a stand-in for the current pool; a transaction that failed because its
 * connection was lost replaces the pool with a fresh one (the old one is ended after its other
 * queries had time to finish). Drizzle's type parsers are carried over to each new pool.
 */
/** How long a transaction body that failed for a lost connection waits for its connection to be declared closed. */
const CLOSE_GRACE_MS = 5_000;

/**
 * The transaction body for postgres.js's `begin`, except that a body failing because its own
 * connection was lost never settles. postgres.js would answer that failure with a ROLLBACK on the
 * dead connection, and writing to a connection it has already closed throws from a timer — an
 * uncaught TypeError that ends the process (porsager/postgres#1208, still so in 3.4.9). `begin`
 * itself rejects as soon as the connection closes (`isBeginOver`), so nothing waits on such a body.
 * A body whose `begin` is still running after the grace (it was another connection that failed)
 * fails as usual, and its rollback goes to a live connection.
 */
function keepOffDeadConnection(body: (...a: unknown[]) => unknown, isBeginOver: Promise<void>): (...a: unknown[]) => Promise<unknown> {
  return async (...args) => {
    try {
      return await body(...args);
    } catch (error) {
      if (!isConnectionLost(error)) throw error;
      let timer: NodeJS.Timeout | undefined;
      const isClosed = await Promise.race([
        isBeginOver.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (isClosed) await new Promise<never>(() => {});
      throw error;
    }
  };
}

function renewablePool(create: () => Sql): { sql: Sql; end: () => Promise<void> } {
  let current = create();
  const retiring = new Set<Promise<void>>();
  const renew = (failed: Sql) => {
    if (failed !== current) return;
    const fresh = create();
    Object.assign(fresh.options.parsers, current.options.parsers);
    Object.assign(fresh.options.serializers, current.options.serializers);
    current = fresh;
    const ended = failed.end({ timeout: 5 }).catch(() => {});
    retiring.add(ended);
    void ended.finally(() => retiring.delete(ended));
  };
  const sql = new Proxy(current, {
    get(_target, prop) {
      const pool = current;
      if (prop === "begin") {
        return (...args: unknown[]) => {
          let markOver = () => {};
          const isBeginOver = new Promise<void>((resolve) => (markOver = resolve));
          const guarded = args.map((arg) => (typeof arg === "function" ? keepOffDeadConnection(arg as (...a: unknown[]) => unknown, isBeginOver) : arg));
          return (pool.begin as (...a: unknown[]) => Promise<unknown>)(...guarded)
            .catch((error: unknown) => {
              if (isConnectionLost(error)) renew(pool);
              throw error;
            })
            .finally(markOver);
        };
      }
      const value = Reflect.get(pool, prop, pool) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(pool) : value;
    },
  });
  return {
    sql,
    end: async () => {
      await current.end({ timeout: 5 });
      await Promise.all(retiring);
    },
  };
}
