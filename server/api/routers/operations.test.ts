import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "@/server/composition/app-context";
import { keyDeps } from "@/server/composition/service-deps";
import { auditLog, nodes } from "@/server/db/schema";
import type { Actor } from "@/server/services/actor";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { createCaller } from "../root";

let test: TestDatabase;
let app: AppContext;
let fleet: SimulatedFleet;
let admin: Actor;
let viewer: Actor;

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a" }, { name: "b", adminState: "disabled" }]);
  app = createTestAppContext(test.db, { overrides: { panelFor: fleet.panelFor } });
  admin = await createTestActor(test.db, "admin");
  viewer = await createTestActor(test.db, "viewer");
  for (const telegramId of [1, 2, 3]) await getOrCreateKey(keyDeps(app), { telegramId });
  await test.db.update(nodes).set({ adminState: "active" }).where(eq(nodes.name, "b"));
});
afterAll(async () => {
  await fleet.close();
  await test.close();
});

describe("operations router", () => {
  it("lets a viewer plan but not act", async () => {
    const asViewer = createCaller({ app, actor: viewer });
    const sim = await asViewer.operations.simulateNodeLoss({ nodeId: fleet.node("a").id });
    expect(sim).toMatchObject({ users: 3, unplaced: [] });
    expect(await asViewer.operations.previewNodeChange({ nodeId: fleet.node("a").id, change: "drain" })).toMatchObject({ users: 3, moves: { unplaced: 0 } });
    await expect(asViewer.operations.previewNodeChange({ nodeId: fleet.node("a").id, change: "delete" as "drain" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect((await asViewer.operations.rebalancePlan({ maxMoves: 10, minGap: 0 })).moves).toHaveLength(1);
    await expect(asViewer.operations.drain({ nodeId: fleet.node("a").id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(asViewer.operations.migrateUser({ telegramId: 1 })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("an admin moves a user and drains a node, audited, and the log shows both with progress", async () => {
    const asAdmin = createCaller({ app, actor: admin });
    const moved = await asAdmin.operations.migrateUser({ telegramId: 1, toNodeId: fleet.node("b").id });
    expect(moved.outcome).toMatchObject({ status: "succeeded", toNodeId: fleet.node("b").id });
    await expect(asAdmin.operations.migrateUser({ telegramId: 999 })).rejects.toMatchObject({ code: "NOT_FOUND" });

    const drained = await asAdmin.operations.drain({ nodeId: fleet.node("a").id });
    expect(drained).toMatchObject({ adminState: "draining", operation: { kind: "drain", total: 2 } });
    const { items } = await asAdmin.operations.list({});
    // An infinite query asks for its first page with cursor: null.
    expect((await asAdmin.operations.list({ cursor: null })).items).toEqual(items);
    expect(items.map((o) => [o.kind, o.status, o.progress])).toEqual([
      ["drain", "running", 0],
      ["migration", "succeeded", 1],
    ]);
    const detail = await asAdmin.operations.detail({ id: drained.operation!.id });
    expect(detail.items.map((i) => [i.telegramId, i.status, i.fromNodeName])).toEqual([
      [2, "pending", "a"],
      [3, "pending", "a"],
    ]);
    await asAdmin.operations.undrain({ nodeId: fleet.node("a").id });
    const actions = (await test.db.select().from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["user.migrate", "node.drain", "node.undrain"]));
  });
});
