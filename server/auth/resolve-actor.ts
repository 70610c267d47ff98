/**
 * Turns a decoded session into the acting admin. A session is valid only while its admin exists,
 * is enabled and still has the session version the JWT was issued with — bumping the version
 * (password reset, role change, disable) revokes every session of that admin at once — and while
 * the session's own row is neither revoked (sign-out, a password change elsewhere) nor expired.
 * When the owner requires two-factor and this admin has none, the actor may only enrol.
 */
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { adminSessions, admins } from "@/server/db/schema";
import type { Actor } from "@/server/services/actor";
import { isTotpRequired } from "@/server/services/admins/two-factor";
import { clientAddressFrom } from "@/server/http/client-address";

export async function resolveActor(
  db: Database,
  session: { adminId?: string; sessionVersion?: number; sessionId?: string } | null,
  requestHeaders: Headers,
  trustProxyHops = 0,
): Promise<Actor | null> {
  if (!session?.adminId || session.sessionVersion === undefined || !session.sessionId) return null;
  const [[row], isRequired] = await Promise.all([
    db
      .select({ admin: admins })
      .from(admins)
      .innerJoin(
        adminSessions,
        and(eq(adminSessions.adminId, admins.id), eq(adminSessions.id, session.sessionId), isNull(adminSessions.revokedAt), gt(adminSessions.expiresAt, sql`now()`)),
      )
      .where(eq(admins.id, session.adminId)),
    isTotpRequired(db),
  ]);
  const admin = row?.admin;
  if (!admin || admin.isDisabled || admin.sessionVersion !== session.sessionVersion) return null;
  return {
    adminId: admin.id,
    username: admin.username,
    role: admin.role,
    ip: clientAddressFrom(requestHeaders, trustProxyHops),
    userAgent: requestHeaders.get("user-agent"),
    sessionId: session.sessionId,
    mustEnrollTotp: isRequired && admin.totpEnabledAt === null,
  };
}
