/**
 * Opens the database the app uses: postgres.js at DATABASE_URL, or the embedded PGlite in DATA_DIR
 * (holding the data-folder lock, so a second process refuses instead of silently diverging),
 * migrated before first use. The app opens it once per process (server/composition); operator
 * scripts open their own with fewer connections and release the folder on close.
 */
import type { Env } from "@/server/env";
import { openDatabase, type DatabaseHandle } from "./client";
import { acquireDataDirLock } from "./data-dir-lock";
import { runMigrations } from "./migrate";

export async function openAppDatabase(
  env: Pick<Env, "DATABASE_URL" | "DATA_DIR" | "isEmbeddedDb" | "DATABASE_CONNECT_TIMEOUT_SECONDS" | "DATABASE_STATEMENT_TIMEOUT_MS">,
  options: { maxConnections?: number } = {},
): Promise<DatabaseHandle> {
  const release = env.isEmbeddedDb ? acquireDataDirLock(env.DATA_DIR) : () => {};
  try {
    const handle = await openDatabase({
      url: env.DATABASE_URL,
      dataDir: env.isEmbeddedDb ? env.DATA_DIR : undefined,
      maxConnections: options.maxConnections,
      connectTimeoutSeconds: env.DATABASE_CONNECT_TIMEOUT_SECONDS,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
    });
    await runMigrations(handle.db);
    return {
      ...handle,
      close: async () => {
        await handle.close();
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

export type { Database, DatabaseHandle } from "./client";
