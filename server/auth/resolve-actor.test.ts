import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admins } from "@/server/db/schema";
import { createAdmin, resetAdminPassword, setAdminDisabled, setAdminRole } from "@/server/services/admins/manage-admins";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { PEER_ADDRESS_HEADER } from "@/server/http/client-address";
import { resolveActor } from "./resolve-actor";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const headers = new Headers({ "x-forwarded-for": "192.0.2.1", [PEER_ADDRESS_HEADER]: "203.0.113.9", "user-agent": "vitest" });

async function sessionFor(username: string) {
  const [row] = await test.db.select().from(admins).where(eq(admins.username, username));
  return { adminId: row!.id, sessionVersion: row!.sessionVersion };
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
    expect(await resolveActor(test.db, { adminId: (await sessionFor("ida")).adminId }, headers)).toBeNull();
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
