/**
 * Optional second factor per admin: TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step of clock skew
 * either way) through the `otpauth` library, plus ten single-use recovery codes for a lost phone.
 *
 * - Enrolment is two steps: a secret is stored (encrypted with the key ring, bound to the admin by
 *   AAD) and shown once as an otpauth:// URI (the QR) and as text; it is in force only once a code
 *   from it is confirmed. Recovery codes are shown once then, and stored as SHA-256 hashes: they
 *   are 80 random bits, so a leaked table does not give them back.
 * - A code is accepted once: the step it was made for must be later than the last accepted one
 *   (an atomic conditional update), so a code seen over a shoulder cannot be replayed.
 * - Turning it off needs the current password, and is refused while the owner requires it.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, count, eq, isNull, lt, or } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { decryptSecret, encryptSecret, type KeyRing } from "@/server/crypto/secret-box";
import type { Database } from "@/server/db/client";
import { adminRecoveryCodes, admins, appSettings, type Admin } from "@/server/db/schema";
import { AppError, badRequest } from "@/server/errors";
import { ref } from "@/server/messages";
import type { Actor } from "../actor";
import { recordAudit, type Transaction } from "../audit/record-audit";
import type { Clock } from "../clock";
import { verifyPassword } from "./password";

export const TOTP_ISSUER = "Fleet";
const PERIOD_SECONDS = 30;
const RECOVERY_CODES = 10;

export type TwoFactorDeps = { db: Database; keyRing: KeyRing; clock: Clock };

const totpAad = (adminId: string) => `admin:${adminId}:totp`;

function totpFor(username: string, secretBase32: string): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label: username, algorithm: "SHA1", digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

function hashRecoveryCode(code: string): string {
  return createHash("sha256").update(code.replace(/[\s-]/g, "").toUpperCase()).digest("hex");
}

/** 16 characters from a 32-letter alphabet without look-alikes (no I, O, 0, 1): 80 bits, in four dash-separated groups of four. */
function newRecoveryCode(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % 32]).join("");
  return chars.match(/.{4}/g)!.join("-");
}

async function loadAdmin(db: Database, adminId: string): Promise<Admin> {
  const [admin] = await db.select().from(admins).where(eq(admins.id, adminId));
  if (!admin) throw new AppError("NOT_FOUND", ref("error.admin.notFound"));
  return admin;
}

export type TwoFactorStatus = { isEnabled: boolean; recoveryCodesLeft: number };

export async function twoFactorStatus(deps: { db: Database }, actor: Actor): Promise<TwoFactorStatus> {
  const admin = await loadAdmin(deps.db, actor.adminId);
  const [left] = await deps.db.select({ n: count() }).from(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, actor.adminId));
  return { isEnabled: admin.totpEnabledAt !== null, recoveryCodesLeft: admin.totpEnabledAt ? (left?.n ?? 0) : 0 };
}

/** Step 1: a new secret, stored but not in force; the URI goes into the QR code. */
export async function beginTotpEnrolment(deps: TwoFactorDeps, actor: Actor): Promise<{ otpauthUri: string; secret: string }> {
  const admin = await loadAdmin(deps.db, actor.adminId);
  if (admin.totpEnabledAt) throw new AppError("CONFLICT", ref("error.totp.alreadyOn"));
  const secret = new Secret({ size: 20 }).base32;
  await deps.db.update(admins).set({ totpSecretEnc: encryptSecret(deps.keyRing, secret, totpAad(admin.id)) }).where(eq(admins.id, admin.id));
  return { otpauthUri: totpFor(admin.username, secret).toString(), secret };
}

/** Step 2: a code from the new secret turns it on; the recovery codes are returned this once. */
export async function confirmTotpEnrolment(deps: TwoFactorDeps, actor: Actor, input: { code: string }): Promise<{ recoveryCodes: string[] }> {
  const admin = await loadAdmin(deps.db, actor.adminId);
  if (admin.totpEnabledAt) throw new AppError("CONFLICT", ref("error.totp.alreadyOn"));
  if (!admin.totpSecretEnc) throw badRequest({ code: ref("admin.field.totpStartFirst") });
  const step = matchingStep(admin, decryptSecret(deps.keyRing, admin.totpSecretEnc, totpAad(admin.id)), input.code, deps.clock.now());
  if (step === null) throw badRequest({ code: ref("admin.field.totpWrongCode") });
  const recoveryCodes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
  await deps.db.transaction(async (tx) => {
    await tx.update(admins).set({ totpEnabledAt: deps.clock.now(), totpLastStep: step, updatedAt: new Date() }).where(eq(admins.id, admin.id));
    await tx.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, admin.id));
    await tx.insert(adminRecoveryCodes).values(recoveryCodes.map((code) => ({ adminId: admin.id, codeHash: hashRecoveryCode(code) })));
    await recordAudit(tx, actor, { action: "admin.totp_enable", targetType: "admin", targetId: admin.id });
  });
  return { recoveryCodes };
}

export async function disableTotp(deps: TwoFactorDeps & { isRequired: boolean }, actor: Actor, input: { password: string }): Promise<void> {
  const admin = await loadAdmin(deps.db, actor.adminId);
  if (!(await verifyPassword(admin.passwordHash, input.password))) throw badRequest({ password: ref("admin.field.notCurrentPassword") });
  if (deps.isRequired) throw new AppError("CONFLICT", ref("error.totp.required"));
  await deps.db.transaction(async (tx) => {
    await tx.update(admins).set({ totpSecretEnc: null, totpEnabledAt: null, totpLastStep: null, updatedAt: new Date() }).where(eq(admins.id, admin.id));
    await tx.delete(adminRecoveryCodes).where(eq(adminRecoveryCodes.adminId, admin.id));
    await recordAudit(tx, actor, { action: "admin.totp_disable", targetType: "admin", targetId: admin.id });
  });
}

/** The 30-second step a 6-digit code was made for (within one step of `now`), or null. */
function matchingStep(admin: Admin, secret: string, code: string, now: Date): number | null {
  const token = code.replace(/\s/g, "");
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(admin.username, secret).validate({ token, timestamp: now.getTime(), window: 1 });
  return delta === null ? null : Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/**
 * Sign-in's second step for an admin with TOTP on: a current code not used before, or an unused
 * recovery code (which is used up). Both are single atomic statements, so two parallel sign-ins
 * cannot spend one code twice.
 */
export async function verifySecondFactor(deps: TwoFactorDeps, admin: Admin, code: string): Promise<boolean> {
  if (!admin.totpEnabledAt || !admin.totpSecretEnc) return false;
  const step = matchingStep(admin, decryptSecret(deps.keyRing, admin.totpSecretEnc, totpAad(admin.id)), code, deps.clock.now());
  if (step !== null) {
    const taken = await deps.db
      .update(admins)
      .set({ totpLastStep: step })
      .where(and(eq(admins.id, admin.id), or(isNull(admins.totpLastStep), lt(admins.totpLastStep, step))))
      .returning({ id: admins.id });
    return taken.length > 0;
  }
  const used = await deps.db
    .delete(adminRecoveryCodes)
    .where(and(eq(adminRecoveryCodes.adminId, admin.id), eq(adminRecoveryCodes.codeHash, hashRecoveryCode(code))))
    .returning({ adminId: adminRecoveryCodes.adminId });
  return used.length > 0;
}

const SECURITY_SETTINGS_KEY = "security";

/** Whether the owner requires a second factor of every admin; read on every dashboard request (one primary-key lookup). */
export async function isTotpRequired(db: Database | Transaction): Promise<boolean> {
  const [row] = await db.select({ value: appSettings.value }).from(appSettings).where(eq(appSettings.key, SECURITY_SETTINGS_KEY));
  return (row?.value as { requireTotp?: unknown } | undefined)?.requireTotp === true;
}

/** The owner's switch: refused until the owner has a second factor themselves (or they would be shut out). Audited. */
export async function setTwoFactorRequired(deps: { db: Database }, actor: Actor, input: { isRequired: boolean }): Promise<{ requireTotp: boolean }> {
  if (input.isRequired) {
    const admin = await loadAdmin(deps.db, actor.adminId);
    if (!admin.totpEnabledAt) throw new AppError("CONFLICT", ref("error.totp.ownFirst"));
  }
  const value = { requireTotp: input.isRequired };
  await deps.db.transaction(async (tx) => {
    const before = await isTotpRequired(tx);
    await tx
      .insert(appSettings)
      .values({ key: SECURITY_SETTINGS_KEY, value, updatedBy: actor.username })
      .onConflictDoUpdate({ target: appSettings.key, set: { value, updatedBy: actor.username, updatedAt: new Date() } });
    await recordAudit(tx, actor, { action: "settings.update", targetType: "settings", targetId: SECURITY_SETTINGS_KEY, before: { requireTotp: before }, after: value });
  });
  return value;
}
