import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { nodes } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { createPanelClient } from "@/server/x3ui/client";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import { isPanelError } from "@/server/x3ui/types";
import { dnsResolver } from "./panel-address-guard";
import { createPanelClientFactory } from "./panel-for-node";
import { createTestActor } from "@/server/testing/test-actor";
import { addSimulatedNodes, testNodeDeps } from "@/server/testing/simulated-nodes";

let test: TestDatabase;
let sim: SimulatedPanel;
beforeAll(async () => {
  test = await createTestDatabase();
  sim = await startSimulator({ version: "2.8.11" });
});
afterAll(async () => {
  await sim.close();
  await test.close();
});
// Both tests register the same panel inbound, which may be one node only.
beforeEach(async () => {
  await test.db.delete(nodes);
});

describe("panel client factory", () => {
  it("refuses, at connect time, a stored node whose panel now sits on a private address", async () => {
    const deps = testNodeDeps(test.db);
    const [node] = await addSimulatedNodes(deps, await createTestActor(test.db), [sim], "rebind");
    // Saved while private panels were allowed (or while the name resolved publicly): the guard must still hold per connection.
    const strict = createPanelClientFactory({
      keyRing: deps.keyRing,
      timeoutMs: 1000,
      createClient: createPanelClient,
      addressPolicy: { allowPrivate: false, resolve: dnsResolver },
    });
    const error = await strict(node!).getServerStatus().catch((e: unknown) => e);
    expect(isPanelError(error, "unreachable")).toBe(true);
    expect(await deps.panelFor(node!).getServerStatus()).toMatchObject({ xray: { state: "running" } });
  });

  it("keeps one client (and its panel session) per node until the node is edited", async () => {
    const deps = testNodeDeps(test.db);
    const [node] = await addSimulatedNodes(deps, await createTestActor(test.db), [sim], "cache");
    const first = deps.panelFor(node!);
    expect(deps.panelFor({ ...node! })).toBe(first);
    expect(deps.panelFor({ ...node!, updatedAt: new Date(node!.updatedAt.getTime() + 1) })).not.toBe(first);
  });
});
