import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assignments, auditLog, nodes, vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import type { Actor } from "../actor";
import { createNode } from "./create-node";
import { deleteNode } from "./delete-node";
import { readPanelSecret } from "./panel-for-node";
import { setNodeAdminState } from "./set-node-admin-state";
import { testConnection } from "./test-connection";
import { createTestActor } from "@/server/testing/test-actor";
import { nodeInputFor, testNodeDeps } from "@/server/testing/simulated-nodes";
import { updateNode } from "./update-node";

let test: TestDatabase;
let sim: SimulatedPanel;
let deps: ReturnType<typeof testNodeDeps>;
let actor: Actor;

const base = { name: "fra-1", panelUrl: "https://panel.example.com:2053/base/", panelUsername: "admin", panelPassword: "pw-123456", inboundId: 1 };

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function auditCount() {
  return (await test.db.select().from(auditLog)).length;
}

beforeAll(async () => {
  test = await createTestDatabase();
  sim = await startSimulator({ version: "2.8.11" });
  // The public-looking host resolves to a public address; simulators need private panels allowed.
  deps = { ...testNodeDeps(test.db), addressPolicy: { allowPrivate: false, resolve: async () => ["93.184.216.34"] } };
  actor = await createTestActor(test.db);
});
afterAll(async () => {
  await sim?.close();
  await test?.close();
});
beforeEach(async () => {
  await test.db.delete(assignments);
  await test.db.delete(nodes);
});

describe("node validation", () => {
  it("names every invalid field", async () => {
    const error = await failure(
      createNode(deps, actor, { ...base, panelUrl: "https://user:pw@panel.example.com/", weight: 0, priority: 0, maxUsers: -1, inboundId: 0 }),
    );
    expect(error.code).toBe("BAD_REQUEST");
    expect(Object.keys(error.fields ?? {}).sort()).toEqual(["inboundId", "maxUsers", "panelUrl", "priority", "weight"]);
    expect(error.fields?.panelUrl).toMatch(/user name or password/);
    expect(error.fields?.weight).toBe("must be greater than 0");
  });

  it("says a missing inbound is required, and a non-number is not a number", async () => {
    const { inboundId: _omitted, ...withoutInbound } = base;
    expect((await failure(createNode(deps, actor, withoutInbound as typeof base))).fields?.inboundId).toBe("is required");
    expect((await failure(createNode(deps, actor, { ...base, inboundId: Number.NaN }))).fields?.inboundId).toBe("is required");
    expect((await failure(createNode(deps, actor, { ...base, inboundId: "7" as unknown as number }))).fields?.inboundId).toBe("must be a number");
  });

  it("refuses non-http schemes, missing credentials and a pin without a fingerprint", async () => {
    expect((await failure(createNode(deps, actor, { ...base, panelUrl: "ftp://panel.example.com/" }))).fields).toHaveProperty("panelUrl");
    expect((await failure(createNode(deps, actor, { ...base, panelPassword: "" }))).fields).toHaveProperty("panelPassword");
    expect((await failure(createNode(deps, actor, { ...base, tlsMode: "pin" }))).fields).toHaveProperty("tlsPinSha256");
  });

  it("keeps names unique ignoring case", async () => {
    await createNode(deps, actor, base);
    expect((await failure(createNode(deps, actor, { ...base, name: "FRA-1" }))).fields?.name).toMatch(/already used/);
  });

  it("refuses panels on private addresses unless allowed", async () => {
    const privateHost = { ...deps, addressPolicy: { allowPrivate: false, resolve: async () => ["192.168.1.10"] } };
    expect((await failure(createNode(privateHost, actor, base))).fields?.panelUrl).toMatch(/resolves to 192\.168\.1\.10/);
    expect((await failure(createNode(deps, actor, { ...base, panelUrl: "http://127.0.0.1:2053/" }))).fields?.panelUrl).toMatch(/loopback/);
    const allowed = { ...deps, addressPolicy: { allowPrivate: true, resolve: async () => ["192.168.1.10"] } };
    expect((await createNode(allowed, actor, base)).name).toBe("fra-1");
  });

  it("refuses max_users below the users already on the node", async () => {
    const node = await createNode(deps, actor, base);
    await test.db.update(nodes).set({ reservedCount: 5 }).where(eq(nodes.id, node.id));
    expect((await failure(updateNode(deps, actor, { id: node.id, maxUsers: 4 }))).fields?.maxUsers).toMatch(/at least 5/);
    expect((await updateNode(deps, actor, { id: node.id, maxUsers: 5 })).maxUsers).toBe(5);
  });
});

describe("credentials", () => {
  it("are encrypted at rest and write-only: a blank field keeps the stored one", async () => {
    const node = await createNode(deps, actor, { ...base, panelApiToken: "tok-abcdef" });
    const [row] = await test.db.select().from(nodes).where(eq(nodes.id, node.id));
    expect(row!.panelSecretEnc).not.toContain("pw-123456");
    expect(readPanelSecret(deps.keyRing, row!)).toEqual({ password: "pw-123456", apiToken: "tok-abcdef" });
    expect(node).toMatchObject({ hasPassword: true, hasApiToken: true });
    expect(node).not.toHaveProperty("panelSecretEnc");

    await updateNode(deps, actor, { id: node.id, panelPassword: "", panelApiToken: "", weight: 2 });
    const [kept] = await test.db.select().from(nodes).where(eq(nodes.id, node.id));
    expect(readPanelSecret(deps.keyRing, kept!)).toEqual({ password: "pw-123456", apiToken: "tok-abcdef" });

    await updateNode(deps, actor, { id: node.id, panelPassword: "new-password" });
    const [changed] = await test.db.select().from(nodes).where(eq(nodes.id, node.id));
    expect(readPanelSecret(deps.keyRing, changed!)).toEqual({ password: "new-password", apiToken: "tok-abcdef" });
    const audits = await test.db.select().from(auditLog).where(eq(auditLog.targetId, node.id));
    expect(JSON.stringify(audits)).not.toMatch(/pw-123456|new-password|tok-abcdef/);
  });
});

describe("audit", () => {
  it("writes one audit row per mutation, in the mutation's transaction", async () => {
    const before = await auditCount();
    const node = await createNode(deps, actor, base);
    await updateNode(deps, actor, { id: node.id, weight: 3 });
    await setNodeAdminState(deps, actor, { id: node.id, adminState: "disabled" });
    expect(await auditCount()).toBe(before + 3);

    // An actor whose admin row does not exist makes the audit insert fail: the change must roll back with it.
    const ghost = { ...actor, adminId: "00000000-0000-4000-8000-00000000dead" };
    await expect(updateNode(deps, ghost, { id: node.id, weight: 7 })).rejects.toThrow();
    await expect(createNode(deps, ghost, { ...base, name: "ghost" })).rejects.toThrow();
    await expect(deleteNode(deps, ghost, { id: node.id })).rejects.toThrow();
    const rows = await test.db.select().from(nodes);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.weight).toBe(3);
    expect(await auditCount()).toBe(before + 3);
  });
});

describe("deleteNode", () => {
  it("is refused while live assignments remain, and allowed once the node is empty", async () => {
    const node = await createNode(deps, actor, base);
    const [user] = await test.db.insert(vpnUsers).values({ telegramId: Date.now(), subscriptionToken: `t-${Date.now()}` }).returning();
    const [assignment] = await test.db
      .insert(assignments)
      .values({ userId: user!.id, nodeId: node.id, inboundId: 1, clientId: "c1", clientEmail: `fleet-${Date.now()}`, state: "active" })
      .returning();
    await test.db.update(nodes).set({ reservedCount: 1 }).where(eq(nodes.id, node.id));
    const before = await auditCount();
    const error = await failure(deleteNode(deps, actor, { id: node.id }));
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/Drain it first/);
    expect(await auditCount()).toBe(before);

    await test.db.update(assignments).set({ state: "revoked", endedAt: new Date() }).where(eq(assignments.id, assignment!.id));
    await test.db.update(nodes).set({ reservedCount: 0 }).where(eq(nodes.id, node.id));
    await deleteNode(deps, actor, { id: node.id });
    expect(await test.db.select().from(nodes)).toHaveLength(0);
    expect(await auditCount()).toBe(before + 1);
  });
});

describe("testConnection", () => {
  const open = () => ({ ...deps, addressPolicy: { allowPrivate: true, resolve: async () => [] } });

  it("detects the version and lists inbounds for unsaved values", async () => {
    const result = await testConnection(open(), { panelUrl: sim.url, panelUsername: sim.username, panelPassword: sim.password, inboundId: 1 });
    expect(result).toMatchObject({ ok: true, generation: "g3", version: "2.8.11", hasInbound: true });
    expect(result.ok && result.inbounds.map((i) => i.id)).toContain(1);
  });

  it("fills blank fields from a saved node and reports a refused login as an answer", async () => {
    const node = await createNode(open(), actor, nodeInputFor(sim, "saved"));
    expect(await testConnection(open(), { nodeId: node.id, panelPassword: "" })).toMatchObject({ ok: true });
    expect(await testConnection(open(), { nodeId: node.id, panelPassword: "wrong-password" })).toMatchObject({ ok: false, kind: "auth" });
    expect((await failure(testConnection(deps, { nodeId: node.id }))).fields?.panelUrl).toMatch(/loopback/);
  });
});
