import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/services/actor";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { createCaller } from "../root";

let test: TestDatabase;
let fleet: SimulatedFleet;
let admin: Actor;
let viewer: Actor;

beforeAll(async () => {
  test = await createTestDatabase();
  fleet = await startSimulatedFleet(test.db, [{ name: "a" }]);
  admin = await createTestActor(test.db, "admin");
  viewer = await createTestActor(test.db, "viewer");
});
afterAll(async () => {
  await fleet?.close();
  await test?.close();
});

describe("adoption router", () => {
  it("lets an admin preview and adopt, refuses a viewer, and names the field of a bad rule", async () => {
    const app = createTestAppContext(test.db, { overrides: { panelFor: fleet.panelFor } });
    fleet.panel("a").state.addClients(fleet.panel("a").inboundId, [{ id: randomUUID(), email: "tg_77", enable: true, tgId: 0 }]);
    const nodeId = fleet.node("a").id;
    const rule = { kind: "emailRegex" as const, pattern: "^tg_(\\d+)$" };

    const denied = await createCaller({ app, actor: viewer }).adoption.preview({ nodeId, rule }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(TRPCError);
    expect((denied as TRPCError).code).toBe("FORBIDDEN");

    const asAdmin = createCaller({ app, actor: admin });
    const plan = await asAdmin.adoption.preview({ nodeId, rule });
    expect(plan.counts.adopt).toBe(1);
    const report = await asAdmin.adoption.adopt({ nodeId, rule, fingerprint: plan.fingerprint });
    expect(report.adopted).toBe(1);

    const bad = await asAdmin.adoption.preview({ nodeId, rule: { kind: "emailRegex", pattern: "(" } }).catch((e: unknown) => e);
    expect((bad as TRPCError).code).toBe("BAD_REQUEST");
    expect(JSON.stringify((bad as TRPCError).cause ?? bad)).toContain("rule.pattern");
  });
});
