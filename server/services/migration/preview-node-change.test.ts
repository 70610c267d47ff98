import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppContext } from "@/server/composition/app-context";
import { keyDeps, migrationDeps } from "@/server/composition/service-deps";
import { nodes, operations } from "@/server/db/schema";
import type { Actor } from "@/server/services/actor";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { drainNode } from "./drain-node";
import { previewNodeChange } from "./preview-node-change";

let test: TestDatabase;
let app: AppContext;
let fleet: SimulatedFleet;
let admin: Actor;

// Five users on "src"; "big" has room for all of them, "small" for two, "far" is disabled.
beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [
    { name: "src" },
    { name: "big", maxUsers: 100, adminState: "disabled" },
    { name: "small", maxUsers: 2, adminState: "disabled" },
    { name: "far", adminState: "disabled" },
  ]);
  app = createTestAppContext(test.db, { overrides: { panelFor: fleet.panelFor } });
  admin = await createTestActor(test.db, "admin");
  for (const telegramId of [1, 2, 3, 4, 5]) await getOrCreateKey(keyDeps(app), { telegramId });
  for (const name of ["big", "small"]) await test.db.update(nodes).set({ adminState: "active" }).where(eq(nodes.name, name));
});
afterAll(async () => {
  await fleet.close();
  await test.close();
});

describe("previewNodeChange", () => {
  it("says how many users a drain moves and to which nodes, and writes nothing", async () => {
    const preview = await previewNodeChange(test.db, { nodeId: fleet.node("src").id, change: "drain" });
    expect(preview.users).toBe(5);
    expect(preview.node).toMatchObject({ name: "src", adminState: "active" });
    const byTarget = Object.fromEntries(preview.moves!.byTarget.map((t) => [t.name, t.users]));
    expect(Object.keys(byTarget).sort()).toEqual(["big", "small"]);
    expect(byTarget.big! + byTarget.small!).toBe(5);
    expect(byTarget.small).toBeLessThanOrEqual(2);
    expect(preview.moves!.unplaced).toBe(0);
    expect(preview.openEvacuation).toBeNull();
    const [src] = await test.db.select().from(nodes).where(eq(nodes.name, "src"));
    expect(src!.adminState).toBe("active");
    expect(await test.db.select().from(operations)).toEqual([]);
  });

  it("counts the users nobody could take", async () => {
    await test.db.update(nodes).set({ adminState: "disabled" }).where(eq(nodes.name, "big"));
    const preview = await previewNodeChange(test.db, { nodeId: fleet.node("src").id, change: "drain" });
    expect(preview.moves).toEqual({ byTarget: [expect.objectContaining({ name: "small", users: 2 })], unplaced: 3 });
    await test.db.update(nodes).set({ adminState: "active" }).where(eq(nodes.name, "big"));
  });

  it("for a disable, names the users who stay and plans no move", async () => {
    const preview = await previewNodeChange(test.db, { nodeId: fleet.node("src").id, change: "disable" });
    expect(preview).toMatchObject({ change: "disable", users: 5, moves: null, openEvacuation: null });
  });

  it("for a return to service, names the drain it stops and how far it got", async () => {
    const drained = await drainNode(migrationDeps(app), admin, { nodeId: fleet.node("src").id });
    const preview = await previewNodeChange(test.db, { nodeId: fleet.node("src").id, change: "returnToService" });
    expect(preview.node.adminState).toBe("draining");
    expect(preview.openEvacuation).toEqual({ id: drained.operation!.id, kind: "drain", total: 5, moved: 0 });
    expect(preview.users).toBe(5);
  });

  it("refuses a node that does not exist", async () => {
    await expect(previewNodeChange(test.db, { nodeId: "00000000-0000-4000-8000-000000000000", change: "drain" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
