import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admins, auditLog } from "@/server/db/schema";
import { changeOwnPassword, createAdmin, resetAdminPassword, setAdminDisabled, setAdminRole } from "@/server/services/admins/manage-admins";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { PEER_ADDRESS_HEADER } from "@/server/http/client-address";
import { revokeAdminSession, startAdminSession } from "@/server/services/admins/admin-sessions";
import { resolveActor } from "./resolve-actor";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const headers = new Headers({ "x-forwarded-for": "192.0.2.1", [PEER_ADDRESS_HEADER]: "203.0.113.9", "user-agent": "vitest" });

const clock = { now: () => new Date() };

/** A signed-in session of the admin as the JWT carries it: id, version and its session row. */
async function sessionFor(username: string) {
  const [row] = await test.db.select().from(admins).where(eq(admins.username, username));
  const sessionId = await startAdminSession({ db: test.db, clock }, { adminId: row!.id, maxAgeSeconds: 3600, ip: null, userAgent: null });
  return { adminId: row!.id, sessionVersion: row!.sessionVersion, sessionId };
}

describe("resolveActor", () => {
  it("accepts a current session, with the caller's address and the role read from the database", async () => {
    await createAdmin({ db: test.db }, null, { username: "ida", password: "ida-password-1", role: "admin" });
    const actor = await resolveActor(test.db, await sessionFor("ida"), headers);
    expect(actor).toMatchObject({ username: "ida", role: "admin", ip: "203.0.113.9", userAgent: "vitest" });
  });

  it("refuses no session, an unknown admin, and a session without a version", async () => {
    expect(await resolveActor(test.db, null, headers)).toBeNull();
    expect(await resolveActor(test.db, { adminId: crypto.randomUUID(), sessionVersion: 1 }, headers)).toBeNull();
    const { adminId, sessionId } = await sessionFor("ida");
    expect(await resolveActor(test.db, { adminId, sessionId }, headers)).toBeNull();
    expect(await resolveActor(test.db, { adminId, sessionVersion: 1 }, headers)).toBeNull();
  });

  it("revokes every older session on password reset, role change or disable", async () => {
    const owner = await createAdmin({ db: test.db }, null, { username: "jon", password: "jon-password-1", role: "owner" });
    const ownerActor = { adminId: owner.id, username: "jon", role: "owner" as const, ip: null, userAgent: null };
    const target = await createAdmin({ db: test.db }, null, { username: "kim", password: "kim-password-1", role: "admin" });

    for (const revoke of [
      () => resetAdminPassword({ db: test.db }, ownerActor, { adminId: target.id, password: "kim-password-2" }),
      () => setAdminRole({ db: test.db }, ownerActor, { adminId: target.id, role: "viewer" }),
    ]) {
      const before = await sessionFor("kim");
      await revoke();
      expect(await resolveActor(test.db, before, headers)).toBeNull();
      expect(await resolveActor(test.db, await sessionFor("kim"), headers)).toMatchObject({ username: "kim" });
    }
    // Demoted above: the fresh session carries the new role, not the one the JWT was issued with.
    expect(await resolveActor(test.db, await sessionFor("kim"), headers)).toMatchObject({ role: "viewer" });

    await setAdminDisabled({ db: test.db }, ownerActor, { adminId: target.id, isDisabled: true });
    expect(await resolveActor(test.db, await sessionFor("kim"), headers)).toBeNull();
  });
});

describe("sessions", () => {
  it("ends a session at sign-out (its row is revoked) and when it expires, leaving the admin's others alone", async () => {
    // Observation 8: sign-out left the JWT valid for up to 12 hours.
    await createAdmin({ db: test.db }, null, { username: "liv", password: "liv-password-1", role: "viewer" });
    const laptop = await sessionFor("liv");
    const phone = await sessionFor("liv");
    await revokeAdminSession(test.db, laptop.sessionId);
    expect(await resolveActor(test.db, laptop, headers)).toBeNull();
    expect(await resolveActor(test.db, phone, headers)).toMatchObject({ username: "liv", sessionId: phone.sessionId });

    const [row] = await test.db.select().from(admins).where(eq(admins.username, "liv"));
    const expired = await startAdminSession({ db: test.db, clock: { now: () => new Date(Date.now() - 7200_000) } }, { adminId: row!.id, maxAgeSeconds: 3600, ip: null, userAgent: null });
    expect(await resolveActor(test.db, { adminId: row!.id, sessionVersion: row!.sessionVersion, sessionId: expired }, headers)).toBeNull();
  });

  it("ends every other session when an admin changes their own password, which needs the current one", async () => {
    await createAdmin({ db: test.db }, null, { username: "max", password: "max-password-1", role: "admin" });
    const here = await sessionFor("max");
    const elsewhere = await sessionFor("max");
    const actor = (await resolveActor(test.db, here, headers))!;
    await expect(changeOwnPassword({ db: test.db }, actor, { currentPassword: "wrong-password", newPassword: "max-password-2" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      fields: { currentPassword: { code: "admin.field.notCurrentPassword" } },
    });
    await changeOwnPassword({ db: test.db }, actor, { currentPassword: "max-password-1", newPassword: "max-password-2" });
    expect(await resolveActor(test.db, here, headers)).toMatchObject({ username: "max" });
    expect(await resolveActor(test.db, elsewhere, headers)).toBeNull();
    const [audit] = await test.db.select().from(auditLog).where(eq(auditLog.action, "admin.change_password"));
    expect(audit).toMatchObject({ after: { otherSessionsEnded: 1 } });
    expect(JSON.stringify(audit)).not.toContain("max-password");
  });
});
