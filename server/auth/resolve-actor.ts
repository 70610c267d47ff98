/**
 * Turns a decoded session into the acting admin. A session is valid only while its admin exists,
 * is enabled and still has the session version the JWT was issued with: bumping the version
 * (password reset, role change, disable) revokes every session of that admin at once.
 */
import { eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { admins } from "@/server/db/schema";
import type { Actor } from "@/server/services/actor";
import { clientAddressFrom } from "@/server/http/client-address";

export async function resolveActor(
  db: Database,
  session: { adminId?: string; sessionVersion?: number } | null,
  requestHeaders: Headers,
  trustProxyHops = 0,
): Promise<Actor | null> {
  if (!session?.adminId || session.sessionVersion === undefined) return null;
  const [admin] = await db.select().from(admins).where(eq(admins.id, session.adminId));
  if (!admin || admin.isDisabled || admin.sessionVersion !== session.sessionVersion) return null;
  return {
    adminId: admin.id,
    username: admin.username,
    role: admin.role,
    ip: clientAddressFrom(requestHeaders, trustProxyHops),
    userAgent: requestHeaders.get("user-agent"),
  };
}
