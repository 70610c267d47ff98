import type { AdminRole } from "@/server/db/schema";

/** Who is doing something: a signed-in admin (from the session) with where they came from. */
export type Actor = {
  adminId: string;
  username: string;
  role: AdminRole;
  ip: string | null;
  userAgent: string | null;
  /** The dashboard session the request came with (absent for actors made outside a browser session). */
  sessionId?: string;
  /** The owner requires two-factor and this admin has none yet: only enrolment is open to them. */
  mustEnrollTotp?: boolean;
};

/** Whom an audit row names: an admin, or (adminId null) a command run on the server, such as an import. */
export type AuditActor = Omit<Actor, "adminId" | "role" | "sessionId" | "mustEnrollTotp"> & { adminId: string | null };

export function cliActor(command: string): AuditActor {
  return { adminId: null, username: `cli:${command}`, ip: null, userAgent: null };
}

const ROLE_RANK: Record<AdminRole, number> = { viewer: 0, admin: 1, owner: 2 };

export function hasRole(actor: Pick<Actor, "role">, minimum: AdminRole): boolean {
  return ROLE_RANK[actor.role] >= ROLE_RANK[minimum];
}
