import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "@/server/composition/app-context";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "@/server/services/actor";
import { createAdmin } from "@/server/services/admins/manage-admins";
import { createCaller } from "../root";

let test: TestDatabase;
let app: AppContext;
let owner: Actor;
let viewer: Actor;

beforeAll(async () => {
  test = await createTestDatabase();
  app = createTestAppContext(test.db);
  const o = await createAdmin({ db: test.db }, null, { username: "owner1", password: "owner-password", role: "owner" });
  const v = await createAdmin({ db: test.db }, null, { username: "viewer1", password: "viewer-password", role: "viewer" });
  owner = { adminId: o.id, username: o.username, role: "owner", ip: null, userAgent: null };
  viewer = { adminId: v.id, username: v.username, role: "viewer", ip: null, userAgent: null };
});
afterAll(async () => test.close());

describe("admins router", () => {
  it("refuses anonymous callers and viewers on owner-only procedures", async () => {
    await expect(createCaller({ app, actor: null }).admins.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const asViewer = createCaller({ app, actor: viewer });
    await expect(asViewer.admins.create({ username: "sneaky", password: "sneaky-password", role: "owner" })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await asViewer.admins.me()).toEqual({ id: viewer.adminId, username: "viewer1", role: "viewer" });
  });

  it("maps service errors to tRPC codes and zod errors to BAD_REQUEST", async () => {
    const asOwner = createCaller({ app, actor: owner });
    await expect(asOwner.admins.create({ username: "viewer1", password: "another-password", role: "admin" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: "Some fields are invalid.",
    });
    const invalid = await asOwner.admins.create({ username: "x", password: "short", role: "admin" }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(TRPCError);
    expect((invalid as TRPCError).code).toBe("BAD_REQUEST");
    await expect(asOwner.admins.setDisabled({ adminId: owner.adminId, isDisabled: true })).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("never returns password hashes", async () => {
    const asOwner = createCaller({ app, actor: owner });
    await asOwner.admins.create({ username: "newbie", password: "newbie-password", role: "viewer" });
    const listed = JSON.stringify(await asOwner.admins.list());
    expect(listed).toContain("newbie");
    expect(listed).not.toMatch(/argon2|passwordHash|newbie-password/);
  });
});
