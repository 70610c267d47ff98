/** Liveness of the app's own dependency: the database answers a trivial query. */
import { sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { AppError } from "@/server/errors";

export async function checkDatabase(deps: { db: Database }): Promise<{ ok: true }> {
  try {
    await deps.db.execute(sql`SELECT 1`);
    return { ok: true };
  } catch (error) {
    throw new AppError("UNAVAILABLE", "The database is not reachable.", { cause: error });
  }
}
