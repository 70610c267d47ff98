/**
 * The app's database handle: opened once per process (kept on globalThis so dev hot-reload does
 * not open a second PGlite on the same folder), migrated before first use.
 */
import { getEnv } from "@/server/env";
import { openDatabase, type Database, type DatabaseHandle } from "./client";
import { acquireDataDirLock } from "./data-dir-lock";
import { runMigrations } from "./migrate";

const globalForDb = globalThis as unknown as { fleetDb?: Promise<DatabaseHandle> };

async function open(): Promise<DatabaseHandle> {
  const env = getEnv();
  if (env.isEmbeddedDb) acquireDataDirLock(env.DATA_DIR);
  const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: env.isEmbeddedDb ? env.DATA_DIR : undefined });
  await runMigrations(handle.db);
  return handle;
}

export async function getDatabaseHandle(): Promise<DatabaseHandle> {
  globalForDb.fleetDb ??= open().catch((e: unknown) => {
    globalForDb.fleetDb = undefined;
    throw e;
  });
  return globalForDb.fleetDb;
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db;
}

export type { Database } from "./client";
