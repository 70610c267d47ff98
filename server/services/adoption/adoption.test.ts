import { randomUUID } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { assignments, auditLog, nodes, trafficCounters, vpnUsers } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { renderErrorText } from "@/server/http/messages";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import { nodeTag } from "@/server/services/keys/client-identity";
import { loadClientPlans } from "@/server/services/keys/client-plan";
import { refreshKey } from "@/server/services/keys/refresh-key";
import { revokeKey } from "@/server/services/keys/revoke-key";
import { readNodeTraffic } from "@/server/services/traffic/read-node-traffic";
import type { SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { reconcileNode } from "@/server/services/reconcile/reconcile-node";
import { fleetSuite } from "@/server/testing/fleet-suite";
import { PANEL_GENERATIONS } from "@/server/x3ui/types";
import type { AdoptionRule } from "./adoption-rule";
import { applyAdoption } from "./apply-adoption";
import { previewAdoption } from "./preview-adoption";

const suite = fleetSuite(["nodes", "vpn_users", "assignments", "audit_log", "events", "operations"]);
const ADMIN = { adminId: null, username: "ops", ip: null, userAgent: null };
const deps = (f: SimulatedFleet) => ({ db: suite.db(), panelFor: f.panelFor });
const keyDeps = (f: SimulatedFleet): KeyDeps => ({ db: suite.db(), panelFor: f.panelFor, publicUrl: "https://fleet.example.com" });
const TG: AdoptionRule = { kind: "tgId" };

/** An operator's hand-made client, as the panel's own UI stores it. */
function handMade(email: string, extra: Record<string, unknown> = {}) {
  return { id: randomUUID(), email, enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, tgId: 0, subId: `sub-${email}`, comment: "", reset: 0, ...extra };
}

function panelClients(f: SimulatedFleet, name: string) {
  return structuredClone(f.panel(name).state.clients(f.panel(name).inboundId));
}

async function expectAppError(promise: Promise<unknown>, code: string): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

describe.each(PANEL_GENERATIONS)("adoption on a %s panel", (generation) => {
  it("previews who maps, who does not and the conflicts, adopts them without a single panel change, and a re-run adopts nothing", async () => {
    const f = await suite.start([{ name: "a", version: generation }, { name: "b", version: generation }]);
    // A user who already holds a key (on b) and appears on a's panel too.
    await suite.db().update(nodes).set({ adminState: "disabled" }).where(eq(nodes.name, "a"));
    await getOrCreateKey(keyDeps(f), { telegramId: 500 });
    await suite.db().update(nodes).set({ adminState: "active" }).where(eq(nodes.name, "a"));
    await suite.db().update(nodes).set({ adminState: "disabled" }).where(eq(nodes.name, "b"));
    f.panel("a").state.addClients(f.panel("a").inboundId, [
      handMade("alice", { tgId: 101, totalGB: 5_000_000, expiryTime: Date.now() + 86_400_000, limitIp: 2 }),
      handMade("bob", { tgId: "102" }),
      handMade("carol", { tgId: 103, enable: false }),
      handMade("twin-1", { tgId: 104 }),
      handMade("twin-2", { tgId: 104 }),
      handMade("has-key", { tgId: 500 }),
      handMade("nobody"),
    ]);
    f.panel("a").state.setTraffic("alice", 1_000, 2_000);
    const before = panelClients(f, "a");

    const plan = await previewAdoption(deps(f), { nodeId: f.node("a").id, rule: TG });
    expect(plan.counts).toEqual({ adopt: 3, unmappable: 2, duplicate: 2, has_key: 1, no_secret: 0 });
    expect(plan.clients).toEqual({ total: 8, managed: 0, unmanaged: 8 });
    const byEmail = new Map(plan.items.map((i) => [i.email, i]));
    expect(byEmail.get("twin-1")).toMatchObject({ outcome: "duplicate", telegramId: 104, sameIdAs: ["twin-2"] });
    expect(byEmail.get("has-key")).toMatchObject({ outcome: "has_key", keyOn: "b" });
    expect(byEmail.get("carol")).toMatchObject({ outcome: "adopt", isDisabled: true });
    expect(byEmail.get("bob")).toMatchObject({ outcome: "adopt", telegramId: 102 });

    const report = await applyAdoption(deps(f), ADMIN, { nodeId: f.node("a").id, rule: TG, fingerprint: plan.fingerprint });
    expect(report.adopted).toBe(3);
    expect(panelClients(f, "a")).toEqual(before);
    const [node] = await suite.db().select().from(nodes).where(eq(nodes.name, "a"));
    expect(node?.reservedCount).toBe(3);

    // The bot gets the operator's key, unchanged: same UUID, same email.
    const alice = before.find((c) => c.email === "alice")!;
    const key = await getOrCreateKey(keyDeps(f), { telegramId: 101 });
    expect(key.key).toContain(String(alice.id));
    expect(key.node.name).toBe("a");
    expect(panelClients(f, "a")).toEqual(before);

    // The plan the product now enforces is the one the client already has.
    const [row] = await suite.db().select().from(assignments).where(eq(assignments.clientEmail, "alice"));
    expect(row).toMatchObject({ clientOrigin: "adopted", state: "active", clientId: alice.id });
    const clientPlan = (await loadClientPlans(suite.db(), [row!.id], new Date())).get(row!.id);
    expect(clientPlan).toMatchObject({ enable: true, totalBytes: 5_000_000, expiryTime: alice.expiryTime, limitIp: 2 });
    const [carol] = await suite.db().select().from(vpnUsers).where(eq(vpnUsers.telegramId, 103));
    expect(carol?.status).toBe("disabled");
    const [counter] = await suite.db().select().from(trafficCounters).where(eq(trafficCounters.email, "alice"));
    expect(counter).toMatchObject({ up: 1_000, down: 2_000 });

    // The reconciler finds nothing to change on an adopted client, and leaves the others alone.
    const reconciled = await reconcileNode({ db: suite.db(), panelFor: f.panelFor, graceMs: 0, maxActions: 100 }, f.node("a").id);
    expect(reconciled.actions).toEqual([]);
    expect(panelClients(f, "a").filter((c) => !String(c.email).startsWith("fleet-"))).toEqual(before);

    const again = await previewAdoption(deps(f), { nodeId: f.node("a").id, rule: TG });
    expect(again.counts.adopt).toBe(0);
    expect(again.clients.managed).toBe(3);
    expect((await applyAdoption(deps(f), ADMIN, { nodeId: f.node("a").id, rule: TG })).adopted).toBe(0);
    expect(await suite.db().select({ n: count() }).from(assignments).where(eq(assignments.clientOrigin, "adopted"))).toEqual([{ n: 3 }]);
    const audits = await suite.db().select().from(auditLog).where(eq(auditLog.action, "node.adopt"));
    expect(audits).toHaveLength(1);
    expect(audits[0]?.after).toMatchObject({ adopted: 3, rule: "tgId" });
  });
});

describe("adoption rules", () => {
  it("maps by an email pattern or a CSV, and names the field of a rule that cannot work", async () => {
    const f = await suite.start([{ name: "a" }]);
    f.panel("a").state.addClients(f.panel("a").inboundId, [handMade("tg_201"), handMade("202"), handMade("Someone@Mail"), handMade("tg_x")]);
    const nodeId = f.node("a").id;

    const pattern = await previewAdoption(deps(f), { nodeId, rule: { kind: "emailRegex", pattern: "^(?:tg_)?(\\d+)$" } });
    expect(pattern.items.filter((i) => i.outcome === "adopt").map((i) => [i.email, i.telegramId])).toEqual([
      ["202", 202],
      ["tg_201", 201],
    ]);
    const named = await previewAdoption(deps(f), { nodeId, rule: { kind: "emailRegex", pattern: "^tg_(?<tg>\\d+)$" } });
    expect(named.counts.adopt).toBe(1);

    const csv = await previewAdoption(deps(f), { nodeId, rule: { kind: "csv", csv: "email,telegram_id\nsomeone@mail; 303\n\"tg_x\",304\n" } });
    expect(csv.items.filter((i) => i.outcome === "adopt").map((i) => [i.email, i.telegramId])).toEqual([
      ["Someone@Mail", 303],
      ["tg_x", 304],
    ]);

    const fieldOf = async (rule: AdoptionRule) => {
      const error = await expectAppError(previewAdoption(deps(f), { nodeId, rule }), "BAD_REQUEST");
      return Object.fromEntries(Object.entries(error.fields ?? {}).map(([k, v]) => [k, renderErrorText(v, "en")]));
    };
    expect(await fieldOf({ kind: "emailRegex", pattern: "^tg_(\\d+" })).toEqual({ "rule.pattern": expect.stringMatching(/^is not a valid regular expression/) });
    expect(await fieldOf({ kind: "emailRegex", pattern: "^tg_\\d+$" })).toEqual({ "rule.pattern": expect.stringMatching(/needs a group/) });
    expect(await fieldOf({ kind: "csv", csv: "a,1\nb,two\n" })).toEqual({ "rule.csv": 'line 2 is not "email,telegram id"' });
    expect(await fieldOf({ kind: "csv", csv: "a,1\nA,2\n" })).toEqual({ "rule.csv": "line 2 gives A a second, different Telegram id" });
    // A client this product issued — for another node, or before emails carried the node — is never the operator's to adopt.
    f.panel("a").state.addClients(f.panel("a").inboundId, [handMade("fleet-5-aaaaaaaaaaaa-bbbbbbbbbbbb", { tgId: 5 }), handMade("fleet-6-cccccccccccc", { tgId: 6 })]);
    const issued = await previewAdoption(deps(f), { nodeId, rule: TG });
    expect(issued.counts.adopt).toBe(0);
    expect(issued.clients).toMatchObject({ managed: 2 });

    const bad = await expectAppError(previewAdoption(deps(f), { nodeId: "nope", rule: TG }), "BAD_REQUEST");
    expect(Object.keys(bad.fields ?? {})).toEqual(["nodeId"]);
  });
});

describe("adoption guards", () => {
  it("refuses past max users unless raised in the same step, and refuses a plan that changed since the preview; all or nothing", async () => {
    const f = await suite.start([{ name: "a", maxUsers: 2 }]);
    f.panel("a").state.addClients(f.panel("a").inboundId, [1, 2, 3].map((i) => handMade(`u${i}`, { tgId: 600 + i })));
    const nodeId = f.node("a").id;
    const plan = await previewAdoption(deps(f), { nodeId, rule: TG });
    expect(plan.capacity).toEqual({ free: 2, needed: 3, fits: false });

    const full = await expectAppError(applyAdoption(deps(f), ADMIN, { nodeId, rule: TG }), "BAD_REQUEST");
    expect(renderErrorText(full.text, "en")).toBe("This node has room for 2 more users, not 3. Raise its max users in the same step, or adopt fewer.");
    expect(renderErrorText(full.fields!.maxUsers!, "en")).toBe("must be at least 3 to take the adopted users");
    const tooLow = await expectAppError(applyAdoption(deps(f), ADMIN, { nodeId, rule: TG, maxUsers: 2 }), "BAD_REQUEST");
    expect(Object.keys(tooLow.fields ?? {})).toEqual(["maxUsers"]);
    expect(await suite.db().select({ n: count() }).from(assignments)).toEqual([{ n: 0 }]);
    expect(await suite.db().select({ n: count() }).from(vpnUsers)).toEqual([{ n: 0 }]);

    // A client appears after the preview: the shown plan is no longer what would happen.
    f.panel("a").state.addClients(f.panel("a").inboundId, [handMade("late", { tgId: 700 })]);
    await expectAppError(applyAdoption(deps(f), ADMIN, { nodeId, rule: TG, fingerprint: plan.fingerprint, maxUsers: 10 }), "CONFLICT");
    expect(await suite.db().select({ n: count() }).from(assignments)).toEqual([{ n: 0 }]);

    const fresh = await previewAdoption(deps(f), { nodeId, rule: TG });
    const report = await applyAdoption(deps(f), ADMIN, { nodeId, rule: TG, fingerprint: fresh.fingerprint, maxUsers: 10 });
    expect(report).toMatchObject({ adopted: 4, maxUsers: { before: 2, after: 10 } });
    const [audit] = await suite.db().select().from(auditLog).where(eq(auditLog.action, "node.adopt"));
    expect(audit).toMatchObject({ before: { maxUsers: 2, reservedCount: 0 }, after: { maxUsers: 10, adopted: 4 } });
  });

  it("two runs at once adopt each client once", async () => {
    const f = await suite.start([{ name: "a" }]);
    f.panel("a").state.addClients(f.panel("a").inboundId, Array.from({ length: 20 }, (_, i) => handMade(`c${i}`, { tgId: 800 + i })));
    const nodeId = f.node("a").id;
    const outcomes = await Promise.allSettled([applyAdoption(deps(f), ADMIN, { nodeId, rule: TG }), applyAdoption(deps(f), ADMIN, { nodeId, rule: TG })]);
    const adopted = outcomes.map((o) => (o.status === "fulfilled" ? o.value.adopted : 0));
    expect(adopted.sort()).toEqual([0, 20]);
    for (const o of outcomes) if (o.status === "rejected") expect((o.reason as AppError).code).toBe("CONFLICT");
    const [node] = await suite.db().select().from(nodes).where(eq(nodes.id, nodeId));
    expect(node?.reservedCount).toBe(20);
    expect(await suite.db().select({ n: count() }).from(assignments).where(and(eq(assignments.nodeId, nodeId), eq(assignments.state, "active")))).toEqual([{ n: 20 }]);
  });
});

describe("adopted users are managed like any other", () => {
  it("refresh issues a client with our identity and takes the adopted one off; revoke takes it off; a v2 inbound's last client is switched off instead; nobody else's client moves", async () => {
    const f = await suite.start([{ name: "a", version: "2.6.8" }]);
    const inboundId = f.panel("a").inboundId;
    f.panel("a").state.addClients(inboundId, [handMade("r1", { tgId: 901 }), handMade("r2", { tgId: 902 }), handMade("keep")]);
    await applyAdoption(deps(f), ADMIN, { nodeId: f.node("a").id, rule: TG });
    const others = () => panelClients(f, "a").filter((c) => !["r1", "r2"].includes(String(c.email)) && !String(c.email).startsWith("fleet-"));
    const before = others();
    const r1 = panelClients(f, "a").find((c) => c.email === "r1")!;

    const refreshed = await refreshKey(keyDeps(f), { telegramId: 901 });
    expect(refreshed.key).not.toContain(String(r1.id));
    const emails = panelClients(f, "a").map((c) => String(c.email));
    expect(emails).not.toContain("r1");
    expect(emails.filter((e) => e.startsWith(`fleet-901-${nodeTag(f.node("a").id)}-`))).toHaveLength(1);

    expect(await revokeKey(keyDeps(f), { telegramId: 902 })).toMatchObject({ revoked: true });
    expect(panelClients(f, "a").map((c) => c.email)).not.toContain("r2");
    expect(others()).toEqual(before);
    const [node] = await suite.db().select().from(nodes).where(eq(nodes.id, f.node("a").id));
    expect(node?.reservedCount).toBe(1);

    // A v2 panel refuses to delete an inbound's last client: the revoked adopted key is switched off, not left working.
    const solo = f.panel("a").state.addInbound({ remark: "solo", protocol: "vless", port: 9443, listen: "", enable: true, settings: { clients: [handMade("solo", { tgId: 903 })], decryption: "none" }, streamSettings: { network: "tcp", security: "none" }, sniffing: {} });
    await suite.db().update(nodes).set({ inboundId: solo.id }).where(eq(nodes.id, f.node("a").id));
    await applyAdoption(deps(f), ADMIN, { nodeId: f.node("a").id, rule: TG });
    await revokeKey(keyDeps(f), { telegramId: 903 });
    expect(f.panel("a").state.clients(solo.id)).toMatchObject([{ email: "solo", enable: false }]);
  });

  it("counts an adopted client's traffic from the adoption on, not its past", async () => {
    const f = await suite.start([{ name: "a" }], { trafficPollMs: 0 });
    f.panel("a").state.addClients(f.panel("a").inboundId, [handMade("t1", { tgId: 950 }), handMade("stranger", { tgId: 0 })]);
    f.panel("a").state.setTraffic("t1", 10_000, 20_000);
    f.panel("a").state.setTraffic("stranger", 5, 5);
    await applyAdoption(deps(f), ADMIN, { nodeId: f.node("a").id, rule: TG });
    f.panel("a").state.setTraffic("t1", 10_100, 20_200);
    f.panel("a").state.setTraffic("stranger", 500, 500);
    const trafficDeps = { ...keyDeps(f), clock: { now: () => new Date() }, notifications: { webhook: null, telegram: null }, expiringDays: 3, intervalMs: 0, concurrency: 1, timeoutMs: 2_000 };
    await readNodeTraffic(trafficDeps, f.node("a"));
    const [user] = await suite.db().select().from(vpnUsers).where(eq(vpnUsers.telegramId, 950));
    expect(user).toMatchObject({ uploadBytes: 100, downloadBytes: 200 });
    expect(await suite.db().select({ n: count() }).from(trafficCounters).where(eq(trafficCounters.email, "stranger"))).toEqual([{ n: 0 }]);
  });
});
