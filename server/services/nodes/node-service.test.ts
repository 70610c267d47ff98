import { createServer } from "node:net";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { assignments, auditLog, nodes, vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { errorBody, renderErrorText } from "@/server/http/messages";
import { ref } from "@/server/messages";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { startSimulator, type SimulatedPanel } from "@/server/x3ui/simulator";
import type { Actor } from "../actor";
import { createNode } from "./create-node";
import { deleteNode } from "./delete-node";
import { readPanelSecret } from "./panel-for-node";
import { setNodeAdminState } from "./set-node-admin-state";
import { startFaultProxy } from "@/server/x3ui/testing/fault-proxy";
import { testConnection } from "./test-connection";
import { createTestActor } from "@/server/testing/test-actor";
import { nodeInputFor, testNodeDeps } from "@/server/testing/simulated-nodes";
import { updateNode } from "./update-node";

let test: TestDatabase;
let sim: SimulatedPanel;
let deps: ReturnType<typeof testNodeDeps>;
let actor: Actor;

// No panel answers at this address: these nodes are saved disabled, past their connection test.
const REENTER_CREDENTIALS = ref("node.field.reenterCredentials");
const base = { name: "fra-1", panelUrl: "https://panel.example.com:2053/base/", panelUsername: "admin", panelPassword: "pw-123456", inboundId: 1, saveDisabled: true };

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
    expect(error.fields?.panelUrl).toEqual({ code: "validation.panelUrl.credentials" });
    expect(error.fields?.weight).toEqual({ code: "validation.greaterThan", params: { minimum: 0 } });
    expect(errorBody(error).fields?.weight).toBe("must be greater than 0");
    expect(errorBody(error, "ru").fields?.weight).toBe("должно быть больше 0");
  });

  // Observation 6: zod's own "Invalid input: expected number, received undefined" reached the form.
  it("says a missing inbound is required and a non-number is not a number, never in the validation library's words", async () => {
    const { inboundId: _omitted, ...withoutInbound } = base;
    const fieldOf = async (input: unknown) => (await failure(createNode(deps, actor, input as typeof base))).fields?.inboundId;
    expect(await fieldOf(withoutInbound)).toEqual({ code: "validation.required" });
    expect(await fieldOf({ ...base, inboundId: Number.NaN })).toEqual({ code: "validation.required" });
    expect(await fieldOf({ ...base, inboundId: "" })).toEqual({ code: "validation.required" });
    expect(await fieldOf({ ...base, inboundId: "seven" })).toEqual({ code: "validation.number" });
    expect(await fieldOf({ ...base, inboundId: 1.5 })).toEqual({ code: "validation.integer" });
    const error = await failure(createNode(deps, actor, withoutInbound as typeof base));
    expect(JSON.stringify(errorBody(error))).not.toMatch(/Invalid input|expected|received/);
  });

  // Observation 6: "1,5" was refused as a weight.
  it("takes a decimal comma in number fields", async () => {
    const node = await createNode(deps, actor, { ...base, weight: "1,5" as unknown as number, maxUsers: "250" as unknown as number });
    expect(node).toMatchObject({ weight: 1.5, maxUsers: 250 });
    expect((await updateNode(deps, actor, { id: node.id, weight: "0,25" as unknown as number })).weight).toBe(0.25);
  });

  it("refuses non-http schemes, missing credentials and a pin without a fingerprint", async () => {
    expect((await failure(createNode(deps, actor, { ...base, panelUrl: "ftp://panel.example.com/" }))).fields).toHaveProperty("panelUrl");
    expect((await failure(createNode(deps, actor, { ...base, panelPassword: "" }))).fields).toHaveProperty("panelPassword");
    expect((await failure(createNode(deps, actor, { ...base, tlsMode: "pin" }))).fields).toHaveProperty("tlsPinSha256");
  });

  it("keeps names unique ignoring case", async () => {
    await createNode(deps, actor, base);
    const error = await failure(createNode(deps, actor, { ...base, name: "FRA-1", inboundId: 2 }));
    expect(error.fields?.name).toEqual({ code: "node.field.nameTaken", params: { node: "fra-1" } });
  });

  it("refuses panels on private addresses unless allowed", async () => {
    const privateHost = { ...deps, addressPolicy: { allowPrivate: false, resolve: async () => ["192.168.1.10"] } };
    expect(errorBody(await failure(createNode(privateHost, actor, base))).fields?.panelUrl).toMatch(/resolves to 192\.168\.1\.10/);
    expect(errorBody(await failure(createNode(deps, actor, { ...base, panelUrl: "http://127.0.0.1:2053/" }))).fields?.panelUrl).toMatch(/^127\.0\.0\.1 is a loopback/);
    const allowed = { ...deps, addressPolicy: { allowPrivate: true, resolve: async () => ["192.168.1.10"] } };
    expect((await createNode(allowed, actor, base)).name).toBe("fra-1");
  });

  it("refuses max_users below the users already on the node", async () => {
    const node = await createNode(deps, actor, base);
    await test.db.update(nodes).set({ reservedCount: 5 }).where(eq(nodes.id, node.id));
    expect(errorBody(await failure(updateNode(deps, actor, { id: node.id, maxUsers: 4 }))).fields?.maxUsers).toMatch(/at least 5/);
    expect((await updateNode(deps, actor, { id: node.id, maxUsers: 5 })).maxUsers).toBe(5);
  });

  it("keeps standby places apart: refuses standbyMaxUsers below the standbys already on the node, whatever max_users says", async () => {
    const node = await createNode(deps, actor, { ...base, maxUsers: 1, standbyMaxUsers: 10 });
    expect(node).toMatchObject({ maxUsers: 1, standbyMaxUsers: 10 });
    await test.db.update(nodes).set({ standbyReservedCount: 3 }).where(eq(nodes.id, node.id));
    expect(errorBody(await failure(updateNode(deps, actor, { id: node.id, standbyMaxUsers: 2 }))).fields?.standbyMaxUsers).toMatch(/at least 3, the standbys/);
    expect((await updateNode(deps, actor, { id: node.id, standbyMaxUsers: "3" as unknown as number })).standbyMaxUsers).toBe(3);
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
    await setNodeAdminState(deps, actor, { id: node.id, adminState: "draining" });
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
    const result = await testConnection(open(), actor, { panelUrl: sim.url, panelUsername: sim.username, panelPassword: sim.password, inboundId: 1 });
    expect(result).toMatchObject({ ok: true, generation: "g3", version: "2.8.11", hasInbound: true });
    expect(result.ok && result.inbounds.map((i) => i.id)).toContain(1);
  });

  it("fills blank fields from a saved node and reports a refused login as an answer", async () => {
    const node = await createNode(open(), actor, nodeInputFor(sim, "saved"));
    expect(await testConnection(open(), actor, { nodeId: node.id, panelPassword: "" })).toMatchObject({ ok: true });
    expect(await testConnection(open(), actor, { nodeId: node.id, panelPassword: "wrong-password" })).toMatchObject({
      ok: false,
      kind: "auth",
      reason: { code: "panel.auth", params: { address: new URL(sim.url).host } },
    });
    expect(errorBody(await failure(testConnection(deps, actor, { nodeId: node.id }))).fields?.panelUrl).toMatch(/loopback/);
  });

  it("says whether the chosen inbound can take keys", async () => {
    const given = { panelUrl: sim.url, panelUsername: sim.username, panelPassword: sim.password };
    expect(await testConnection(open(), actor, { ...given, inboundId: 999 })).toMatchObject({ ok: true, hasInbound: false, inboundProblem: { code: "check.inboundMissing" } });
    sim.state.inbounds.find((i) => i.id === 2)!.enable = false;
    try {
      expect(await testConnection(open(), actor, { ...given, inboundId: 2 })).toMatchObject({ ok: true, inboundProblem: { code: "check.inboundDisabled" } });
    } finally {
      sim.state.inbounds.find((i) => i.id === 2)!.enable = true;
    }
  });
});

describe("stored credentials go only to the stored address", () => {
  const open = () => ({ ...deps, addressPolicy: { allowPrivate: true, resolve: async () => [] } });

  it("tests a saved node with its stored credentials only at its stored address, and audits every test", async () => {
    // Observation 4: a saved node id plus a new URL used to send the stored password to that URL, unaudited.
    const node = await createNode(open(), actor, nodeInputFor(sim, "bound"));
    const elsewhere = await startSimulator({ version: "2.8.11" });
    const watched = await startFaultProxy(elsewhere.url);
    try {
      const refused = await failure(testConnection(open(), actor, { nodeId: node.id, panelUrl: watched.url }));
      expect(refused.fields?.panelPassword).toEqual(REENTER_CREDENTIALS);
      expect(watched.log).toHaveLength(0);
      const typedAgain = { nodeId: node.id, panelUrl: watched.url, panelUsername: elsewhere.username, panelPassword: elsewhere.password };
      expect(await testConnection(open(), actor, typedAgain)).toMatchObject({ ok: true });
      expect(await testConnection(open(), actor, { nodeId: node.id, panelUrl: sim.url.replace(/\/?$/, "/") })).toMatchObject({ ok: true });
    } finally {
      await watched.close();
      await elsewhere.close();
    }
    const audits = await test.db.select().from(auditLog).where(eq(auditLog.action, "node.test_connection"));
    expect(audits.filter((a) => a.targetId === node.id).map((a) => a.after)).toEqual([
      expect.objectContaining({ usedStoredCredentials: false, ok: true }),
      expect.objectContaining({ usedStoredCredentials: true, ok: true }),
    ]);
    expect(JSON.stringify(audits)).not.toContain(sim.password);
  });

  it.each([
    ["host", "https://other.example.com:2053/base/"],
    ["port", "https://panel.example.com:2096/base/"],
    ["scheme", "http://panel.example.com:2053/base/"],
    ["base path", "https://panel.example.com:2053/other/"],
  ])("asks for the credentials again when the %s changes, and keeps nothing of the old ones", async (_what, panelUrl) => {
    const node = await createNode(deps, actor, { ...base, panelApiToken: "tok-abcdef" });
    const refused = await failure(updateNode(deps, actor, { id: node.id, panelUrl }));
    expect(refused.fields).toEqual({ panelPassword: REENTER_CREDENTIALS });
    expect(errorBody(refused, "ru").fields?.panelPassword).toMatch(/^введите пароль панели или API-токен заново/);
    await updateNode(deps, actor, { id: node.id, panelUrl, panelPassword: "typed-again" });
    const [moved] = await test.db.select().from(nodes).where(eq(nodes.id, node.id));
    expect(readPanelSecret(deps.keyRing, moved!)).toEqual({ password: "typed-again" });
  });

  it("keeps them for the same address written differently, and for other fields", async () => {
    const node = await createNode(deps, actor, base);
    await updateNode(deps, actor, { id: node.id, panelUrl: "https://PANEL.example.com:2053/base", weight: 4 });
    const [kept] = await test.db.select().from(nodes).where(eq(nodes.id, node.id));
    expect(readPanelSecret(deps.keyRing, kept!)).toEqual({ password: "pw-123456" });
  });
});

/** A TCP port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// Observation 1: a second node with ams-1's URL and inbound was accepted; its reconcile deleted ams-1's clients.
describe("one panel inbound is one node", () => {
  const open = () => ({ ...deps, addressPolicy: { allowPrivate: true, resolve: async () => [] } });

  it("refuses the same panel inbound under another spelling of its URL, naming the node that has it", async () => {
    const first = await createNode(open(), actor, nodeInputFor(sim, "ams-1"));
    const respelled = sim.url.replace("http://127.0.0.1:", "HTTP://127.0.0.1:").replace(/\/$/, "//");
    const error = await failure(createNode(open(), actor, nodeInputFor(sim, "ams-1-copy", { panelUrl: respelled })));
    expect(error.code).toBe("BAD_REQUEST");
    expect(error.fields).toEqual({
      panelUrl: { code: "node.field.panelTaken", params: { node: "ams-1", inbound: sim.inboundId } },
      inboundId: { code: "node.field.inboundTaken", params: { node: "ams-1" } },
    });
    expect(errorBody(error).fields?.panelUrl).toBe(`is already node “ams-1” with inbound ${sim.inboundId}: one panel inbound can be one node only`);
    // Another inbound of the same panel is another node.
    const other = await createNode(open(), actor, nodeInputFor(sim, "ams-1-vmess", { inboundId: 2 }));
    // And an existing node cannot be pointed at a panel inbound another node has.
    expect((await failure(updateNode(open(), actor, { id: other.id, inboundId: sim.inboundId }))).fields?.panelUrl).toMatchObject({
      params: { node: first.name },
    });
    expect(await test.db.select().from(nodes)).toHaveLength(2);
  });

  it("lets one of two concurrent saves of the same panel inbound through, and refuses the other by name", async () => {
    const results = await Promise.allSettled([
      createNode(open(), actor, nodeInputFor(sim, "left")),
      createNode(open(), actor, nodeInputFor(sim, "right")),
    ]);
    const saved = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(saved).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const winner = (saved[0] as PromiseFulfilledResult<{ name: string }>).value.name;
    expect((refused[0]!.reason as AppError).fields?.panelUrl).toEqual({ code: "node.field.panelTaken", params: { node: winner, inbound: sim.inboundId } });
  });
});

// Observation 2: a node that failed its connection test saved without a prompt.
describe("verified before serving", () => {
  const open = () => ({ ...deps, addressPolicy: { allowPrivate: true, resolve: async () => [] } });
  const refusal = async (input: Parameters<typeof createNode>[2]) => {
    const error = await failure(createNode(open(), actor, input));
    expect(error.code).toBe("CONNECTION_FAILED");
    expect(error.details?.connection).toMatchObject({ ok: expect.any(Boolean) });
    return error;
  };

  it("refuses a node whose panel refuses the password, beside the password, with the test result", async () => {
    const error = await refusal(nodeInputFor(sim, "wrong", { panelPassword: "not-the-password" }));
    expect(error.fields).toEqual({ panelPassword: { code: "panel.auth", params: { address: new URL(sim.url).host } } });
    expect(error.details?.connection).toMatchObject({ ok: false, kind: "auth" });
    expect(errorBody(error).message).toMatch(/^The connection test failed, so the node was not saved\. The panel at 127\.0\.0\.1:\d+ refused/);
    expect(await test.db.select().from(nodes)).toHaveLength(0);
  });

  it("says in a sentence with the address that nothing answers, and that a name does not resolve", async () => {
    const port = await closedPort();
    const refused = await refusal(nodeInputFor(sim, "nobody", { panelUrl: `http://127.0.0.1:${port}/` }));
    expect(renderErrorText(refused.fields!.panelUrl!)).toBe(`Nothing answers at 127.0.0.1:${port} — is the panel running, and is the port right?`);
    expect(renderErrorText(refused.fields!.panelUrl!, "ru")).toBe(`По адресу 127.0.0.1:${port} никто не отвечает — запущена ли панель и верен ли порт?`);
    const unresolvable = await refusal(nodeInputFor(sim, "typo", { panelUrl: "http://panel.nowhere.invalid:2053/" }));
    expect(unresolvable.fields?.panelUrl).toEqual({ code: "panel.dns", params: { host: "panel.nowhere.invalid" } });
  });

  it("recognises a pasted page address and says which address to use", async () => {
    const error = await refusal(nodeInputFor(sim, "pasted", { panelUrl: `${sim.url}panel/inbounds` }));
    expect(error.fields?.panelUrl).toMatchObject({ code: "panel.pagePath", params: { suggestion: sim.url } });
  });

  it("refuses an inbound that does not exist, beside the inbound", async () => {
    const error = await refusal(nodeInputFor(sim, "no-inbound", { inboundId: 999 }));
    expect(error.fields).toEqual({ inboundId: { code: "check.inboundMissing", params: { inbound: 999 } } });
  });

  it("saves it disabled when asked — no users, no checks — and a changed connection of a serving node is tested too", async () => {
    const port = await closedPort();
    const disabled = await createNode(open(), actor, nodeInputFor(sim, "later", { panelUrl: `http://127.0.0.1:${port}/`, saveDisabled: true }));
    expect(disabled).toMatchObject({ adminState: "disabled", healthState: "unknown" });

    const serving = await createNode(open(), actor, nodeInputFor(sim, "serving"));
    expect(serving.adminState).toBe("active");
    expect((await failure(updateNode(open(), actor, { id: serving.id, panelPassword: "wrong-password" }))).code).toBe("CONNECTION_FAILED");
    // A change that does not touch the connection is not tested.
    expect((await updateNode(open(), actor, { id: serving.id, weight: 2 })).weight).toBe(2);
    const switchedOff = await updateNode(open(), actor, { id: serving.id, panelPassword: "wrong-password", saveDisabled: true });
    expect(switchedOff.adminState).toBe("disabled");
  });

  it("starts a node enabled again as unknown, so it serves only after a fresh successful check", async () => {
    const node = await createNode(open(), actor, nodeInputFor(sim, "back"));
    await test.db.update(nodes).set({ healthState: "healthy", lastCheckAt: new Date() }).where(eq(nodes.id, node.id));
    await setNodeAdminState(deps, actor, { id: node.id, adminState: "disabled" });
    const enabled = await setNodeAdminState(deps, actor, { id: node.id, adminState: "active" });
    expect(enabled).toMatchObject({ adminState: "active", healthState: "unknown", lastCheckAt: null });
  });
});
