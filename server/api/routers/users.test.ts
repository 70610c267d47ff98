import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog } from "@/server/db/schema";
import type { AppContext } from "@/server/composition/app-context";
import { keyDeps } from "@/server/composition/service-deps";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "@/server/services/actor";
import { createCaller } from "../root";

let test: TestDatabase;
let app: AppContext;
let fleet: SimulatedFleet;
let admin: Actor;
let viewer: Actor;

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a", location: "NL" }]);
  app = createTestAppContext(test.db, { overrides: { panelFor: fleet.panelFor } });
  admin = await createTestActor(test.db, "admin");
  viewer = await createTestActor(test.db, "viewer");
  for (const [telegramId, username] of [[111, "alice"], [112, "alina"], [200, "bob"]] as const) {
    await getOrCreateKey(keyDeps(app), { telegramId, username });
  }
});
afterAll(async () => {
  await fleet.close();
  await test.close();
});

describe("users router", () => {
  it("searches by username prefix or telegram id, paginated on the server, with node, key and placement reason", async () => {
    const asViewer = createCaller({ app, actor: viewer });
    const byName = await asViewer.users.search({ query: "ali", page: 1, pageSize: 1 });
    expect(byName.total).toBe(2);
    expect(byName.rows).toHaveLength(1);
    const byId = await asViewer.users.search({ query: "200" });
    expect(byId.rows.map((r) => r.username)).toEqual(["bob"]);
    expect(byId.rows[0]).toMatchObject({
      node: { name: "a", location: "NL" },
      assignment: { state: "active", hasKey: true, placementReason: { strategy: "balancer" } },
    });
  });

  it("never hands a key or a subscription URL to the list or a user's page; admins reveal one, audited, and viewers may not", async () => {
    // Observation 3: viewers saw every user's key and subscription URL.
    const asViewer = createCaller({ app, actor: viewer });
    const listed = JSON.stringify(await asViewer.users.search({}));
    expect(listed).not.toMatch(/vless:\/\/|\/sub\//);
    const one = await asViewer.users.get({ telegramId: 200 });
    expect(one).toMatchObject({ telegramId: 200, assignment: { hasKey: true } });
    expect(JSON.stringify(one)).not.toMatch(/vless:\/\/|\/sub\//);
    await expect(asViewer.users.revealKey({ telegramId: 200 })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const asAdmin = createCaller({ app, actor: admin });
    const revealed = await asAdmin.users.revealKey({ telegramId: 200 });
    expect(revealed).toEqual({ telegramId: 200, key: expect.stringMatching(/^vless:\/\//), subscriptionUrl: expect.stringMatching(/^https:\/\/fleet\.example\.com\/sub\//) });
    const [audit] = await test.db.select().from(auditLog).where(eq(auditLog.action, "key.reveal"));
    expect(audit).toMatchObject({ actorAdminId: admin.adminId, targetType: "vpn_user", targetId: "200", after: { hasKey: true } });
    expect(JSON.stringify(audit)).not.toContain(revealed.key!);
    await expect(asAdmin.users.revealKey({ telegramId: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lets admins refresh and revoke, auditing each, and refuses viewers", async () => {
    const asViewer = createCaller({ app, actor: viewer });
    await expect(asViewer.users.revokeKey({ telegramId: 111 })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const asAdmin = createCaller({ app, actor: admin });
    const refreshed = await asAdmin.users.refreshKey({ telegramId: 111 });
    expect(refreshed).toEqual({ telegramId: 111, node: expect.objectContaining({ name: "a" }), createdAt: expect.any(Date) });
    expect(await asAdmin.users.revokeKey({ telegramId: 111 })).toMatchObject({ revoked: true });
    const actions = (await test.db.select().from(auditLog).where(eq(auditLog.actorAdminId, admin.adminId))).map((a) => a.action).sort();
    expect(actions).toEqual(["key.refresh", "key.reveal", "key.revoke"]);
    await expect(asAdmin.users.revokeKey({ telegramId: 111 })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
