/**
 * The signed-in admin for server components, server actions, route handlers and tRPC. A session is
 * valid only while its admin exists, is enabled and still has the session version the JWT was
 * issued with: bumping the version (reset, role change, disable) revokes every session at once.
 */
import "server-only";
import { eq } from "drizzle-orm";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/server/db";
import type { Database } from "@/server/db/client";
import { admins, type AdminRole } from "@/server/db/schema";
import { hasRole, type Actor } from "@/server/services/actor";
import { auth } from "./config";
import { clientIpFrom } from "./client-ip";

export async function resolveActor(
  db: Database,
  session: { adminId?: string; sessionVersion?: number } | null,
  requestHeaders: Headers,
): Promise<Actor | null> {
  if (!session?.adminId || session.sessionVersion === undefined) return null;
  const [admin] = await db.select().from(admins).where(eq(admins.id, session.adminId));
  if (!admin || admin.isDisabled || admin.sessionVersion !== session.sessionVersion) return null;
  return {
    adminId: admin.id,
    username: admin.username,
    role: admin.role,
    ip: clientIpFrom(requestHeaders),
    userAgent: requestHeaders.get("user-agent"),
  };
}

/** Once per request (React cache): the actor or null. */
export const getActor = cache(async (): Promise<Actor | null> => {
  const session = (await auth()) as { adminId?: string; sessionVersion?: number } | null;
  return resolveActor(await getDb(), session, await headers());
});

/** For layouts and pages: the actor, or a redirect to the login page (or home when the role is too low). */
export async function requireActor(minimum: AdminRole = "viewer"): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  if (!hasRole(actor, minimum)) redirect("/");
  return actor;
}
