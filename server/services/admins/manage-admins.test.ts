import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admins, auditLog } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { errorBody } from "@/server/http/messages";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "../actor";
import { createAdmin, ensureInitialOwner, resetAdminPassword, setAdminDisabled, setAdminRole } from "./manage-admins";

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => test.close());

const actorFor = (a: { id: string; username: string }, role: Actor["role"] = "owner"): Actor => ({
  adminId: a.id,
  username: a.username,
  role,
  ip: "127.0.0.1",
  userAgent: "vitest",
});

describe("admin accounts", () => {
  it("creates exactly one first owner when replicas start together, and prints a generated password once", async () => {
    const results = await Promise.all(Array.from({ length: 4 }, () => ensureInitialOwner({ db: test.db }, { username: "root" })));
    const created = results.filter((r) => r.created);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ username: "root", generatedPassword: expect.stringMatching(/^[\w-]{20,}$/) });
    expect(await ensureInitialOwner({ db: test.db }, { username: "other" })).toEqual({ created: false });
  });

  it("rejects bad input with per-field messages", async () => {
    const error = await createAdmin({ db: test.db }, null, { username: "a b", password: "short", role: "admin" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).fields).toEqual({ username: { code: "validation.username" }, password: { code: "validation.minLength", params: { count: 10 } } });
    expect(errorBody(error as AppError).fields?.password).toBe("must be at least 10 characters long");
    await createAdmin({ db: test.db }, null, { username: "Frank", password: "frank-password", role: "admin" });
    const dup = await createAdmin({ db: test.db }, null, { username: "frank", password: "frank-password", role: "admin" }).catch((e: unknown) => e);
    expect((dup as AppError).fields).toEqual({ username: { code: "admin.field.usernameTaken" } });
  });

  it("bumps the session version on role change, disable and reset, each with an audit row", async () => {
    const [owner] = await test.db.select().from(admins).where(eq(admins.username, "root"));
    const target = await createAdmin({ db: test.db }, actorFor(owner!), { username: "gina", password: "gina-password", role: "viewer" });
    const versionOf = async () => (await test.db.select().from(admins).where(eq(admins.id, target.id)))[0]!.sessionVersion;
    const v0 = await versionOf();
    await setAdminRole({ db: test.db }, actorFor(owner!), { adminId: target.id, role: "admin" });
    await setAdminDisabled({ db: test.db }, actorFor(owner!), { adminId: target.id, isDisabled: true });
    await resetAdminPassword({ db: test.db }, actorFor(owner!), { adminId: target.id, password: "new-password-9" });
    expect(await versionOf()).toBe(v0 + 3);
    const audit = await test.db.select().from(auditLog).where(eq(auditLog.targetId, target.id));
    expect(audit.map((a) => a.action).sort()).toEqual(["admin.create", "admin.disable", "admin.reset_password", "admin.role"]);
    expect(JSON.stringify(audit)).not.toContain("passwordHash");
  });

  it("never leaves the fleet without an enabled owner, even under concurrent demotions", async () => {
    const [root] = await test.db.select().from(admins).where(eq(admins.username, "root"));
    const second = await createAdmin({ db: test.db }, actorFor(root!), { username: "hank", password: "hank-password", role: "owner" });
    // Each owner demotes the other at the same moment: at most one may succeed.
    const outcomes = await Promise.allSettled([
      setAdminRole({ db: test.db }, actorFor(root!), { adminId: second.id, role: "admin" }),
      setAdminRole({ db: test.db }, actorFor({ id: second.id, username: "hank" }), { adminId: root!.id, role: "admin" }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const owners = await test.db.select().from(admins).where(eq(admins.role, "owner"));
    expect(owners.filter((o) => !o.isDisabled)).toHaveLength(1);
  });

  it("refuses to let an admin change their own role or disable themselves", async () => {
    const [root] = await test.db.select().from(admins).where(eq(admins.username, "root"));
    await expect(setAdminRole({ db: test.db }, actorFor(root!), { adminId: root!.id, role: "viewer" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(setAdminDisabled({ db: test.db }, actorFor(root!), { adminId: root!.id, isDisabled: true })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
