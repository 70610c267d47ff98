/**
 * Dashboard sessions as rows: the signed JWT names its row, and a request counts only while that
 * row is neither revoked nor expired (resolve-actor.ts). Signing out revokes the row, so a copied
 * cookie stops working at once instead of living out its 12 hours; a password change revokes every
 * other session of the admin.
 */
import { and, eq, isNull, lt, ne, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { adminSessions } from "@/server/db/schema";
import type { Transaction } from "../audit/record-audit";
import type { Clock } from "../clock";
import type { CronStep } from "../cron/run-cron";

export async function startAdminSession(
  deps: { db: Database; clock: Clock },
  input: { adminId: string; maxAgeSeconds: number; ip: string | null; userAgent: string | null },
): Promise<string> {
  const expiresAt = new Date(deps.clock.now().getTime() + input.maxAgeSeconds * 1000);
  const [row] = await deps.db.insert(adminSessions).values({ adminId: input.adminId, expiresAt, ip: input.ip, userAgent: input.userAgent }).returning({ id: adminSessions.id });
  return row!.id;
}

export async function revokeAdminSession(db: Database, sessionId: string): Promise<void> {
  await db.update(adminSessions).set({ revokedAt: sql`now()` }).where(and(eq(adminSessions.id, sessionId), isNull(adminSessions.revokedAt)));
}

/** Every session of the admin but `keep` (the one making the change). */
export async function revokeOtherAdminSessions(tx: Database | Transaction, adminId: string, keep: string | undefined): Promise<number> {
  const revoked = await tx
    .update(adminSessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(adminSessions.adminId, adminId), isNull(adminSessions.revokedAt), keep ? ne(adminSessions.id, keep) : undefined))
    .returning({ id: adminSessions.id });
  return revoked.length;
}

/** Rows a day past their expiry no longer decide anything. Reserves no cron budget, as the rate-limit prune. */
export const adminSessionsCronStep: CronStep = {
  name: "admin-sessions",
  run: async ({ db, clock }) => {
    const pruned = await db
      .delete(adminSessions)
      .where(lt(adminSessions.expiresAt, new Date(clock.now().getTime() - 86_400_000)))
      .returning({ id: adminSessions.id });
    return { pruned: pruned.length };
  },
};
