/**
 * For operator scripts (admin CLI, node import): open the same database the app uses. With the
 * embedded PGlite this takes the data-folder lock first, so a script refuses to run while the app
 * holds the folder instead of silently diverging from it.
 */
import { getEnv } from "@/server/env";
import { openDatabase, type DatabaseHandle } from "./client";
import { acquireDataDirLock } from "./data-dir-lock";
import { runMigrations } from "./migrate";

export async function openDatabaseForScript(): Promise<DatabaseHandle> {
  const env = getEnv();
  const release = env.isEmbeddedDb ? acquireDataDirLock(env.DATA_DIR) : () => {};
  try {
    const handle = await openDatabase({ url: env.DATABASE_URL, dataDir: env.isEmbeddedDb ? env.DATA_DIR : undefined, maxConnections: 2 });
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
