/** Observation 8: no second factor. TOTP (RFC 6238) with recovery codes, and the owner's switch. */
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { Secret, TOTP } from "otpauth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveActor } from "@/server/auth/resolve-actor";
import { parseKeyRing } from "@/server/crypto/secret-box";
import { admins, auditLog } from "@/server/db/schema";
import type { Actor } from "@/server/services/actor";
import { createRateLimiter, type RateLimits } from "@/server/services/rate-limits/rate-limiter";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { startAdminSession } from "./admin-sessions";
import { authenticateAdmin } from "./authenticate-admin";
import { createAdmin } from "./manage-admins";
import { beginTotpEnrolment, confirmTotpEnrolment, disableTotp, isTotpRequired, setTwoFactorRequired, twoFactorStatus, verifySecondFactor } from "./two-factor";

let test: TestDatabase;
let now = Date.parse("2026-03-01T10:00:00Z");
const clock = { now: () => new Date(now) };
const keyRing = parseKeyRing(`t1:${randomBytes(32).toString("base64")}`);
const OFF = { limit: 0, windowSeconds: 60 };
const limits: RateLimits = { bot: OFF, "new-key": OFF, "sub-token": OFF, "sub-address": OFF, "sign-in-address": OFF, "sign-in-account-address": OFF };

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const deps = () => ({ db: test.db, clock, keyRing, rateLimiter: createRateLimiter({ db: test.db, clock, limits }) });
const codeAt = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

async function enrolled(username: string, role: "owner" | "admin" = "admin"): Promise<{ actor: Actor; secret: string; recoveryCodes: string[] }> {
  const admin = await createAdmin({ db: test.db }, null, { username, password: `${username}-password-1`, role });
  const actor: Actor = { adminId: admin.id, username, role, ip: null, userAgent: null };
  const { otpauthUri, secret } = await beginTotpEnrolment(deps(), actor);
  expect(otpauthUri).toMatch(new RegExp(`^otpauth://totp/Fleet:${username}\\?.*secret=${secret}`));
  const { recoveryCodes } = await confirmTotpEnrolment(deps(), actor, { code: codeAt(secret, now) });
  return { actor, secret, recoveryCodes };
}

describe("two-factor sign-in", () => {
  it("enrols only with a current code from the new secret, and hands out ten recovery codes once", async () => {
    const admin = await createAdmin({ db: test.db }, null, { username: "tia", password: "tia-password-1", role: "admin" });
    const actor: Actor = { adminId: admin.id, username: "tia", role: "admin", ip: null, userAgent: null };
    const { secret } = await beginTotpEnrolment(deps(), actor);
    await expect(confirmTotpEnrolment(deps(), actor, { code: codeAt(secret, now - 5 * 60_000) })).rejects.toMatchObject({ fields: { code: { code: "admin.field.totpWrongCode" } } });
    expect(await twoFactorStatus(deps(), actor)).toEqual({ isEnabled: false, recoveryCodesLeft: 0 });
    const { recoveryCodes } = await confirmTotpEnrolment(deps(), actor, { code: codeAt(secret, now) });
    expect(recoveryCodes).toHaveLength(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    expect(await twoFactorStatus(deps(), actor)).toEqual({ isEnabled: true, recoveryCodesLeft: 10 });
    const [row] = await test.db.select().from(admins).where(eq(admins.id, admin.id));
    expect(row!.totpSecretEnc).not.toContain(secret);
  });

  it("asks for the code after the right password, refuses a wrong or replayed one, takes a recovery code once", async () => {
    const { secret, recoveryCodes } = await enrolled("uma");
    const signIn = (totpCode?: string) => authenticateAdmin(deps(), { username: "uma", password: "uma-password-1", ip: "10.9.0.1", totpCode });
    now += 60_000;
    expect(await signIn()).toEqual({ ok: false, reason: "totp-required" });
    expect(await signIn("000000")).toEqual({ ok: false, reason: "totp-invalid" });
    const code = codeAt(secret, now);
    expect((await signIn(code)).ok).toBe(true);
    expect(await signIn(code)).toEqual({ ok: false, reason: "totp-invalid" });
    expect((await signIn(recoveryCodes[0]!.toLowerCase())).ok).toBe(true);
    expect(await signIn(recoveryCodes[0])).toEqual({ ok: false, reason: "totp-invalid" });
    expect(await authenticateAdmin(deps(), { username: "uma", password: "wrong-password", ip: "10.9.0.1", totpCode: codeAt(secret, now + 30_000) })).toEqual({ ok: false, reason: "invalid" });
  });

  it("spends one code once even when two sign-ins race with it", async () => {
    const { secret } = await enrolled("vic");
    now += 60_000;
    const [admin] = await test.db.select().from(admins).where(eq(admins.username, "vic"));
    const code = codeAt(secret, now);
    const results = await Promise.all(Array.from({ length: 6 }, () => verifySecondFactor(deps(), admin!, code)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("turns off only with the password and not while required; the owner must have it before requiring it", async () => {
    const owner = await createAdmin({ db: test.db }, null, { username: "wes", password: "wes-password-1", role: "owner" });
    const ownerActor: Actor = { adminId: owner.id, username: "wes", role: "owner", ip: null, userAgent: null };
    await expect(setTwoFactorRequired(deps(), ownerActor, { isRequired: true })).rejects.toMatchObject({ code: "CONFLICT" });
    const { actor } = await enrolled("xen", "owner");
    await setTwoFactorRequired(deps(), actor, { isRequired: true });
    expect(await isTotpRequired(test.db)).toBe(true);

    // An admin without a second factor now gets a session that can only enrol.
    const sessionId = await startAdminSession({ db: test.db, clock: { now: () => new Date() } }, { adminId: owner.id, maxAgeSeconds: 3600, ip: null, userAgent: null });
    expect(await resolveActor(test.db, { adminId: owner.id, sessionVersion: 1, sessionId }, new Headers())).toMatchObject({ mustEnrollTotp: true });

    await expect(disableTotp({ ...deps(), isRequired: true }, actor, { password: "nope" })).rejects.toMatchObject({ fields: { password: { code: "admin.field.notCurrentPassword" } } });
    await expect(disableTotp({ ...deps(), isRequired: true }, actor, { password: "xen-password-1" })).rejects.toMatchObject({ code: "CONFLICT" });
    await setTwoFactorRequired(deps(), actor, { isRequired: false });
    await disableTotp({ ...deps(), isRequired: false }, actor, { password: "xen-password-1" });
    expect((await authenticateAdmin(deps(), { username: "xen", password: "xen-password-1", ip: "10.9.0.2" })).ok).toBe(true);
    const actions = (await test.db.select().from(auditLog).where(eq(auditLog.actorAdminId, actor.adminId))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["admin.totp_enable", "settings.update", "admin.totp_disable"]));
  });
});
