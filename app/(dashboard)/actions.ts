"use server";

import { getActor } from "@/server/auth/session";
import { signOut } from "@/server/auth/config";
import { getAppContext } from "@/server/composition/app-context";
import { revokeAdminSession } from "@/server/services/admins/admin-sessions";

/** Revokes this session's row first, so the cookie is dead even if a copy of it survives the browser. */
export async function signOutAction(): Promise<void> {
  const actor = await getActor();
  if (actor?.sessionId) await revokeAdminSession((await getAppContext()).db, actor.sessionId);
  await signOut({ redirectTo: "/login" });
}
