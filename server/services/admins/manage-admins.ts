/**
 * Admin accounts: create, list, change role, disable, reset password, and the first owner at
 * start-up. Role changes, disabling and password resets bump sessionVersion, which signs the
 * account out everywhere (a JWT carrying the old version is refused on its next use).
 */
import { randomBytes } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { revokeOtherAdminSessions } from "./admin-sessions";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "./password";
import type { Database } from "@/server/db/client";
import { admins, type Admin, type AdminRole } from "@/server/db/schema";
import { AppError, badRequest, parseInput } from "@/server/errors";
import { ref } from "@/server/messages";
import type { Actor } from "../actor";
import { recordAudit, type Transaction } from "../audit/record-audit";

export const adminUsernameSchema = z
  .string()
  .trim()
  .min(3)
  .max(64)
  .refine((value) => /^[A-Za-z0-9_.@-]+$/.test(value), "validation.username");
export const adminPasswordSchema = z.string().min(MIN_PASSWORD_LENGTH).max(256);
export const adminRoleSchema = z.enum(["owner", "admin", "viewer"]);

export type AdminView = Pick<Admin, "id" | "username" | "role" | "isDisabled" | "lastLoginAt" | "createdAt">;

const OWNER_CHANGE_LOCK_KEY = 7_302_118_003;
const INITIAL_OWNER_LOCK_KEY = 7_302_118_002;

function toView(a: Admin): AdminView {
  return {
    id: a.id,
    username: a.username,
    role: a.role,
    isDisabled: a.isDisabled,
    lastLoginAt: a.lastLoginAt,
    createdAt: a.createdAt,
  };
}

export async function listAdmins(deps: { db: Database }): Promise<AdminView[]> {
  const rows = await deps.db.select().from(admins).orderBy(asc(admins.username));
  return rows.map((r) => toView(r));
}

const createSchema = z.object({ username: adminUsernameSchema, password: adminPasswordSchema, role: adminRoleSchema });

/** Creates an admin. `actor` is null only for the operator CLI and first-start bootstrap. */
export async function createAdmin(
  deps: { db: Database },
  actor: Actor | null,
  input: { username: string; password: string; role: AdminRole },
): Promise<AdminView> {
  const data = parseInput(createSchema, input);
  const passwordHash = await hashPassword(data.password);
  return deps.db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: admins.id }).from(admins).where(sql`lower(${admins.username}) = lower(${data.username})`);
    if (existing) throw badRequest({ username: ref("admin.field.usernameTaken") });
    const [created] = await tx.insert(admins).values({ username: data.username, passwordHash, role: data.role }).returning();
    if (actor) await recordAudit(tx, actor, { action: "admin.create", targetType: "admin", targetId: created!.id, after: toView(created!) });
    return toView(created!);
  });
}

async function updateAdmin(
  deps: { db: Database },
  actor: Actor | null,
  adminId: string,
  action: string,
  change: (current: Admin, tx: Transaction) => Promise<Partial<Admin>>,
): Promise<AdminView> {
  return deps.db.transaction(async (tx) => {
    const [current] = await tx.select().from(admins).where(eq(admins.id, adminId)).for("update");
    if (!current) throw new AppError("NOT_FOUND", ref("error.admin.notFound"));
    const [updated] = await tx
      .update(admins)
      .set({ ...(await change(current, tx)), sessionVersion: current.sessionVersion + 1, updatedAt: new Date() })
      .where(eq(admins.id, adminId))
      .returning();
    if (actor) await recordAudit(tx, actor, { action, targetType: "admin", targetId: adminId, before: toView(current), after: toView(updated!) });
    return toView(updated!);
  });
}

/** The last enabled owner cannot be demoted or disabled: the fleet would have nobody to manage admins. */
async function assertNotLastOwner(tx: Transaction, target: Admin): Promise<void> {
  if (target.role !== "owner" || target.isDisabled) return;
  // Serialize owner demotions so two concurrent ones cannot each count the other as the remaining owner.
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${OWNER_CHANGE_LOCK_KEY})`);
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(admins)
    .where(sql`${admins.role} = 'owner' AND NOT ${admins.isDisabled}`);
  if ((row?.n ?? 0) <= 1) throw new AppError("CONFLICT", ref("error.admin.lastOwner"));
}

export async function setAdminRole(deps: { db: Database }, actor: Actor, input: { adminId: string; role: AdminRole }): Promise<AdminView> {
  const role = parseInput(adminRoleSchema, input.role);
  if (input.adminId === actor.adminId) throw new AppError("CONFLICT", ref("error.admin.ownRole"));
  return updateAdmin(deps, actor, input.adminId, "admin.role", async (current, tx) => {
    if (role !== "owner") await assertNotLastOwner(tx, current);
    return { role };
  });
}

export async function setAdminDisabled(
  deps: { db: Database },
  actor: Actor,
  input: { adminId: string; isDisabled: boolean },
): Promise<AdminView> {
  if (input.adminId === actor.adminId) throw new AppError("CONFLICT", ref("error.admin.ownDisable"));
  return updateAdmin(deps, actor, input.adminId, input.isDisabled ? "admin.disable" : "admin.enable", async (current, tx) => {
    if (input.isDisabled) await assertNotLastOwner(tx, current);
    return { isDisabled: input.isDisabled };
  });
}

/** Sets a new password, clears the failure count and signs the account out everywhere. */
export async function resetAdminPassword(
  deps: { db: Database },
  actor: Actor | null,
  input: { adminId: string; password: string },
): Promise<AdminView> {
  const password = parseInput(adminPasswordSchema, input.password);
  const passwordHash = await hashPassword(password);
  return updateAdmin(deps, actor, input.adminId, "admin.reset_password", async () => ({ passwordHash, failedLogins: 0 }));
}

/**
 * An admin changes their own password: the current one is required (a session left open on a
 * shared machine is not enough), and every other session of theirs ends.
 */
export async function changeOwnPassword(
  deps: { db: Database },
  actor: Actor,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  const newPassword = parseInput(adminPasswordSchema, input.newPassword);
  const [admin] = await deps.db.select().from(admins).where(eq(admins.id, actor.adminId));
  if (!admin) throw new AppError("NOT_FOUND", ref("error.admin.notFound"));
  if (!(await verifyPassword(admin.passwordHash, input.currentPassword))) throw badRequest({ currentPassword: ref("admin.field.notCurrentPassword") });
  if (input.currentPassword === newPassword) throw badRequest({ newPassword: ref("admin.field.samePassword") });
  const passwordHash = await hashPassword(newPassword);
  await deps.db.transaction(async (tx) => {
    await tx.update(admins).set({ passwordHash, failedLogins: 0, updatedAt: new Date() }).where(eq(admins.id, admin.id));
    const ended = await revokeOtherAdminSessions(tx, admin.id, actor.sessionId);
    await recordAudit(tx, actor, { action: "admin.change_password", targetType: "admin", targetId: admin.id, after: { otherSessionsEnded: ended } });
  });
}

export async function findAdminByUsername(deps: { db: Database }, username: string): Promise<Admin | undefined> {
  const [row] = await deps.db.select().from(admins).where(sql`lower(${admins.username}) = lower(${username.trim()})`);
  return row;
}

export function generatePassword(): string {
  return randomBytes(18).toString("base64url");
}

/**
 * First start: when no admin exists, create the owner from ADMIN_USERNAME/ADMIN_PASSWORD, or
 * generate a strong password and return it so the caller prints it once. A transaction-scoped
 * advisory lock keeps two replicas starting together from creating two owners.
 */
export async function ensureInitialOwner(
  deps: { db: Database },
  input: { username?: string; password?: string },
): Promise<{ created: false } | { created: true; username: string; generatedPassword: string | null }> {
  const username = parseInput(adminUsernameSchema, input.username ?? "admin");
  const password = input.password ? parseInput(adminPasswordSchema, input.password) : generatePassword();
  const passwordHash = await hashPassword(password);
  return deps.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${INITIAL_OWNER_LOCK_KEY})`);
    const [any] = await tx.select({ id: admins.id }).from(admins).limit(1);
    if (any) return { created: false as const };
    await tx.insert(admins).values({ username, passwordHash, role: "owner" });
    return { created: true as const, username, generatedPassword: input.password ? null : password };
  });
}
