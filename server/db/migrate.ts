/**
 * Applies the committed drizzle-kit migrations in `drizzle/`. Everything runs in one transaction
 * that first takes a transaction-scoped advisory lock, so replicas starting at the same moment
 * apply each migration exactly once (a session lock would break behind a transaction pooler).
 * The bookkeeping table is drizzle's own, so `drizzle-kit migrate` would agree with it.
 */
import path from "node:path";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { Database } from "./client";

const MIGRATION_LOCK_KEY = 7_302_118_001;

export function migrationsFolder(): string {
  return path.join(process.cwd(), "drizzle");
}

const latestByFolder = new Map<string, number>();

/** The timestamp of the newest migration in `folder`: a database that has recorded it is up to date for this build. */
export function latestMigration(folder = migrationsFolder()): number {
  let latest = latestByFolder.get(folder);
  if (latest === undefined) {
    latest = Math.max(0, ...readMigrationFiles({ migrationsFolder: folder }).map((m) => m.folderMillis));
    latestByFolder.set(folder, latest);
  }
  return latest;
}

/** The timestamp of the newest migration the database has recorded; null before the first (no bookkeeping table yet). */
export async function lastAppliedMigration(db: Pick<Database, "execute">): Promise<number | null> {
  const [table] = rowsOf<{ name: string | null }>(await db.execute(sql`SELECT to_regclass('drizzle.__drizzle_migrations')::text AS name`));
  if (!table?.name) return null;
  const [last] = rowsOf<{ created_at: string | null }>(await db.execute(sql`SELECT max(created_at) AS created_at FROM drizzle.__drizzle_migrations`));
  return last?.created_at == null ? null : Number(last.created_at);
}

export async function runMigrations(db: Database, folder = migrationsFolder()): Promise<{ applied: number }> {
  const migrations = readMigrationFiles({ migrationsFolder: folder });
  return db.transaction(async (tx) => {
    // A migration may legitimately run long (an index on a big table): the app's statement limit is for requests.
    await tx.execute(sql`SET LOCAL statement_timeout = 0`);
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.execute(sql`CREATE SCHEMA IF NOT EXISTS drizzle`);
    await tx.execute(
      sql`CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`,
    );
    const lastApplied = (await lastAppliedMigration(tx)) ?? 0;
    let applied = 0;
    for (const migration of migrations) {
      if (migration.folderMillis <= lastApplied) continue;
      for (const statement of migration.sql) {
        if (statement.trim()) await tx.execute(sql.raw(statement));
      }
      await tx.execute(
        sql`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES (${migration.hash}, ${migration.folderMillis})`,
      );
      applied++;
    }
    return { applied };
  });
}

/** postgres.js returns an array of rows, PGlite an object with `rows`: one accessor for both. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
