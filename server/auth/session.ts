/**
 * The signed-in admin for server components, server actions, route handlers and tRPC; whether a
 * session still counts is decided in resolve-actor.ts.
 */
import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getAppContext } from "@/server/composition/app-context";
import type { AdminRole } from "@/server/db/schema";
import { hasRole, type Actor } from "@/server/services/actor";
import { auth } from "./config";
import { resolveActor } from "./resolve-actor";

/** Once per request (React cache): the actor or null. */
export const getActor = cache(async (): Promise<Actor | null> => {
  const session = (await auth()) as { adminId?: string; sessionVersion?: number; sessionId?: string } | null;
  const app = await getAppContext();
  return resolveActor(app.db, session, await headers(), app.config.trustProxyHops);
});

/**
 * For layouts and pages: the actor, or a redirect to the login page (or home when the role is too
 * low). An admin who must still set up two-factor is sent to Settings, the one page that lets them.
 */
export async function requireActor(minimum: AdminRole = "viewer", options: { isEnrolmentPage?: boolean } = {}): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect("/login");
  if (actor.mustEnrollTotp && !options.isEnrolmentPage) redirect("/settings");
  if (!hasRole(actor, minimum)) redirect("/");
  return actor;
}
