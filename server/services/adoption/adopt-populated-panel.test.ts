// An operator with one populated panel brings its users in without a key changing (through the
// CLI, as they would), then the node dies: adopted users are moved with working subscriptions,
// and the clients nobody adopted stay exactly as they were on every panel.
import { execFile } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptSecret, parseKeyRing } from "@/server/crypto/secret-box";
import { assignments, nodes, vpnUsers } from "@/server/db/schema";
import { secretAad } from "@/server/services/nodes/panel-for-node";
import type { Clock } from "@/server/services/clock";
import { runHealthSweep } from "@/server/services/health/run-health-sweep";
import { getOrCreateKey } from "@/server/services/keys/get-or-create-key";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { runFleetOperations } from "@/server/services/migration/run-fleet-operations";
import { runReconcile } from "@/server/services/reconcile/run-reconcile";
import { getSubscription } from "@/server/services/subscriptions/get-subscription";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { applyAdoption } from "./apply-adoption";
import { previewAdoption } from "./preview-adoption";

let test: TestDatabase;
let fleet: SimulatedFleet;
let nowMs = Date.now();
const clock: Clock = { now: () => new Date(nowMs) };
const ADMIN = { adminId: null, username: "ops", ip: null, userAgent: null };

beforeAll(async () => {
  test = await createTestDatabase({ maxConnections: 20 });
});
afterAll(async () => {
  await fleet?.close();
  await test.close();
});

function handMade(email: string, tgId = 0) {
  return { id: randomUUID(), email, enable: true, flow: "", limitIp: 0, totalGB: 0, expiryTime: 0, tgId, subId: `sub-${email}`, comment: "", reset: 0 };
}

/** The operator's clients on a panel: everything but the ones this product issued. */
const unadopted = (name: string, adopted: Set<string>) =>
  structuredClone(fleet.panel(name).state.clients(fleet.panel(name).inboundId).filter((c) => !String(c.email).startsWith(CLIENT_EMAIL_PREFIX) && !adopted.has(String(c.email))));

const KEY_RING_SPEC = `k1:${randomBytes(32).toString("base64")}`;

/** The CLI opens the database as the app does, and reaches panels with the credentials sealed in the node rows. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, DATABASE_URL: test.url, ALLOW_PRIVATE_PANELS: "true", AUTH_SECRET: "x".repeat(32), PANEL_SECRET_KEYS: KEY_RING_SPEC, LOG_LEVEL: "error" };
  try {
    const { stdout, stderr } = await promisify(execFile)("npx", ["tsx", "scripts/nodes-adopt.ts", ...args], { env, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function liveOn(name: string): Promise<number> {
  const [row] = await test.db
    .select({ n: count() })
    .from(assignments)
    .innerJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(and(eq(nodes.name, name), inArray(assignments.state, ["pending", "active"])));
  return row?.n ?? 0;
}

describe("a panel with 500 pre-existing clients", () => {
  it("is adopted by tgId and by an email pattern through the CLI (dry run, apply, re-run); after the node dies its adopted users are moved with working subscriptions and nobody else's client is touched anywhere", { timeout: 240_000 }, async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "a", maxUsers: 300 }, { name: "b", maxUsers: 300 }, { name: "c", maxUsers: 300 }], { timeoutMs: 500 });
    const clients = [
      ...Array.from({ length: 200 }, (_, i) => handMade(`user-${i}`, 10_000 + i)),
      ...Array.from({ length: 200 }, (_, i) => handMade(`tg_${20_000 + i}`)),
      ...Array.from({ length: 98 }, (_, i) => handMade(`guest-${i}`)),
      handMade("twin-1", 30_000),
      handMade("twin-2", 30_000),
    ];
    for (const node of fleet.nodes) {
      const sealed = encryptSecret(parseKeyRing(KEY_RING_SPEC), JSON.stringify({ password: fleet.panel(node.name).password }), secretAad(node.id));
      await test.db.update(nodes).set({ panelSecretEnc: sealed }).where(eq(nodes.id, node.id));
    }
    fleet.panel("a").state.addClients(fleet.panel("a").inboundId, clients);
    for (const name of ["b", "c"]) fleet.panel(name).state.addClients(fleet.panel(name).inboundId, [handMade(`${name}-own-1`, 40_000), handMade(`${name}-own-2`)]);
    const original = new Map(clients.map((c) => [c.email, c]));
    const otherPanels = { b: unadopted("b", new Set()), c: unadopted("c", new Set()) };

    // Dry run: the plan, and nothing written.
    const dry = await cli(["--node", "a", "--rule", "tgId"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("a inbound 1: 501 clients, 0 already managed, 501 not; rule tgId: 200 to adopt, 299 unmappable, 2 with a shared Telegram id, 0 whose user has a key, 0 without a secret");
    expect(dry.stdout).toMatch(/duplicate +twin-1 +30000 +same Telegram id as twin-2/);
    expect(dry.stdout).toContain("dry run: nothing changed");
    expect(await test.db.select({ n: count() }).from(vpnUsers)).toEqual([{ n: 0 }]);

    const applied = await cli(["--node", "a", "--rule", "tgId", "--apply"]);
    expect(applied.stdout).toContain("adopted 200");
    const rerun = await cli(["--node", "A", "--rule", "tgId", "--apply"]);
    expect(rerun.stdout).toContain("adopted 0");
    const bad = await cli(["--node", "a", "--rule", "email-regex=^tg_\\d+$"]);
    expect(bad).toMatchObject({ code: 1 });
    expect(bad.stderr).toContain("rule.pattern: needs a group that captures the Telegram id");

    // The pattern's 200 do not fit beside the first 200 without raising max users, in the same step.
    const pattern = { kind: "emailRegex" as const, pattern: "^tg_(\\d+)$" };
    const preview = await previewAdoption({ db: test.db, panelFor: fleet.panelFor }, { nodeId: fleet.node("a").id, rule: pattern });
    expect(preview.counts).toMatchObject({ adopt: 200, unmappable: 101 });
    expect(preview.capacity).toEqual({ free: 100, needed: 200, fits: false });
    const report = await applyAdoption({ db: test.db, panelFor: fleet.panelFor }, ADMIN, { nodeId: fleet.node("a").id, rule: pattern, fingerprint: preview.fingerprint, maxUsers: 400 });
    expect(report.adopted).toBe(200);
    expect(await liveOn("a")).toBe(400);
    // Not one key changed: the panel holds exactly what the operator made.
    const onA = () => fleet.panel("a").state.clients(fleet.panel("a").inboundId);
    expect(onA().map((c) => c.email).sort()).toEqual(["seed-vless", ...clients.map((c) => c.email)].sort());
    for (const c of onA()) if (original.has(String(c.email))) expect(c).toMatchObject(original.get(String(c.email))!);
    const adoptedEmails = new Set([...original.keys()].filter((e) => e.startsWith("user-") || e.startsWith("tg_")));
    const leftOnA = unadopted("a", adoptedEmails);
    expect(leftOnA).toHaveLength(101);

    // The node dies.
    await fleet.panel("a").faults.down();
    const health = { intervalSeconds: 5, fall: 3, fallWindowSeconds: 10, rise: 2, timeoutMs: 300 };
    const sweep = async () => {
      nowMs += health.intervalSeconds * 1000 + 1;
      await runHealthSweep({ db: test.db, panelFor: fleet.panelFor, clock, settings: health, concurrency: 4 }, { budgetMs: 10_000 });
    };
    for (let i = 0; i < 3; i++) await sweep();
    nowMs += 120_000;
    const opsDeps = {
      db: test.db,
      panelFor: fleet.panelFor,
      publicUrl: "https://fleet.example.com",
      clock,
      notifications: { webhook: null, telegram: null },
      failover: { graceSeconds: 60, maxMovesPerMinute: 1000, autoReturnToService: true },
    };
    for (let i = 0; i < 10 && (await liveOn("a")) > 0; i++) await runFleetOperations(opsDeps, { budgetMs: 60_000 });
    expect(await liveOn("a")).toBe(0);
    expect((await liveOn("b")) + (await liveOn("c"))).toBe(400);

    // Every adopted user has a working subscription with their new key, and the bot gets that key.
    const users = await test.db.select().from(vpnUsers);
    expect(users).toHaveLength(400);
    for (const user of users.slice(0, 40)) {
      const sub = await getSubscription({ db: test.db }, user.subscriptionToken);
      const [live] = await test.db.select().from(assignments).where(and(eq(assignments.userId, user.id), eq(assignments.state, "active")));
      expect(live?.clientOrigin).toBe("issued");
      expect(sub.kind === "links" && sub.links).toEqual([live?.shareLink]);
    }
    const key = await getOrCreateKey({ db: test.db, panelFor: fleet.panelFor, publicUrl: "https://fleet.example.com" }, { telegramId: 10_000 });
    expect(["b", "c"]).toContain(key.node.name);

    // a comes back and is reconciled: the moved-away adopted clients go, everything nobody adopted stays.
    await fleet.panel("a").faults.up();
    for (let i = 0; i < 2; i++) await sweep();
    await runReconcile({ db: test.db, panelFor: fleet.panelFor, graceMs: 0, maxActions: 1_000, clock }, { budgetMs: 60_000, intervalMs: 0 });
    expect(onA().filter((c) => adoptedEmails.has(String(c.email)))).toEqual([]);
    expect(unadopted("a", adoptedEmails)).toEqual(leftOnA);
    expect(unadopted("b", new Set())).toEqual(otherPanels.b);
    expect(unadopted("c", new Set())).toEqual(otherPanels.c);
    // One client per user across the fleet.
    const issued = ["a", "b", "c"].flatMap((n) => fleet.panel(n).state.clients().filter((c) => String(c.email).startsWith(CLIENT_EMAIL_PREFIX)));
    expect(issued).toHaveLength(400);
    expect(await test.db.select({ n: count() }).from(assignments).where(sql`${assignments.state} = 'revoking'`)).toEqual([{ n: 0 }]);
  });
});
