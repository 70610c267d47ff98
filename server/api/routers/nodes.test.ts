import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodes } from "@/server/db/schema";
import type { AppContext } from "@/server/composition/app-context";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import type { Actor } from "@/server/services/actor";
import { createTestActor } from "@/server/testing/test-actor";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import { createCaller } from "../root";

const PASSWORD = "router-secret-password-123";
const TOKEN = "router-secret-token-456";

let test: TestDatabase;
let app: AppContext;
let sim: SimulatedPanel;
let admin: Actor;
let viewer: Actor;

beforeAll(async () => {
  test = await createTestDatabase();
  app = createTestAppContext(test.db);
  sim = await startSimulator({ version: "3.6.0", password: PASSWORD, apiToken: TOKEN });
  admin = await createTestActor(test.db, "admin");
  viewer = await createTestActor(test.db, "viewer");
});
afterAll(async () => {
  await sim?.close();
  await test?.close();
});

describe("nodes router", () => {
  it("never returns a credential or its ciphertext", async () => {
    const asAdmin = createCaller({ app, actor: admin });
    const outputs: unknown[] = [];
    const created = await asAdmin.nodes.create({
      name: "ams-1",
      panelUrl: sim.url,
      panelUsername: sim.username,
      panelPassword: PASSWORD,
      panelApiToken: TOKEN,
      inboundId: sim.inboundId,
    });
    outputs.push(created);
    outputs.push(await asAdmin.nodes.update({ id: created.id, weight: 2, panelPassword: "" }));
    outputs.push(await asAdmin.nodes.setAdminState({ id: created.id, adminState: "draining" }));
    outputs.push(await asAdmin.nodes.testConnection({ nodeId: created.id }));
    outputs.push(await asAdmin.nodes.list());
    outputs.push(await createCaller({ app, actor: viewer }).nodes.get({ id: created.id }));

    const [row] = await test.db.select().from(nodes);
    const sealed = row!.panelSecretEnc!;
    const serialized = JSON.stringify(outputs);
    for (const secret of [PASSWORD, TOKEN, sealed, ...sealed.split(".").slice(2)]) expect(serialized).not.toContain(secret);
    expect(serialized).not.toMatch(/panelSecretEnc|panelPassword|panelApiToken/);
    expect(created).toMatchObject({ hasPassword: true, hasApiToken: true, isSecretReadable: true });
    expect(outputs[3]).toMatchObject({ ok: true, generation: "g4" });
  });

  it("lets viewers read but not change", async () => {
    const asViewer = createCaller({ app, actor: viewer });
    expect((await asViewer.nodes.list()).length).toBeGreaterThan(0);
    await expect(asViewer.nodes.create({ name: "x", panelUrl: sim.url, panelApiToken: TOKEN, inboundId: 1 })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(createCaller({ app, actor: null }).nodes.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("rejects invalid input as BAD_REQUEST", async () => {
    const asAdmin = createCaller({ app, actor: admin });
    await expect(asAdmin.nodes.create({ name: "bad", panelUrl: sim.url, panelApiToken: TOKEN, inboundId: 1, weight: 0 })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});
