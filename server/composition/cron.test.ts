/**
 * The cron as the app composes it, with the default budget and every step registered: the health
 * sweep comes first and must still have one panel timeout to check nodes with, however much the
 * later steps reserve (added up they once left it 2.5 s of 25 s, less than one 5 s timeout, and
 * no node was checked at all).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliActor } from "@/server/services/actor";
import { createNode } from "@/server/services/nodes/create-node";
import { nodeInputFor } from "@/server/testing/simulated-nodes";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import { runAppCron } from "./cron";
import { nodeDeps } from "./service-deps";

let test: TestDatabase;
let panel: SimulatedPanel;

beforeAll(async () => {
  test = await createTestDatabase();
  panel = await startSimulator({ version: "3.6.0" });
});
afterAll(async () => {
  await panel?.close();
  await test?.close();
});

describe("the app's cron", () => {
  it("checks nodes on a ping with the default budget and panel timeout", async () => {
    const app = createTestAppContext(test.db, {});
    expect(app.config.cron.budgetMs).toBe(25_000);
    await createNode(nodeDeps(app), cliActor("test"), nodeInputFor(panel, "cron-node"));
    const run = await runAppCron(app, "http");
    const health = run.steps.find((s) => s.name === "health");
    expect(health).toMatchObject({ status: "ok", result: { checked: 1, skipped: 0 } });
  });
});
