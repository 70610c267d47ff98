/**
 * The drop-in bot clients of docs/bot-integration.md, run as they ship (python3 and tsx child
 * processes) against the app's bot routes served over HTTP, with request signing on: an adopted
 * user gets the operator's key, reads it back, refreshes it; a move reaches each client's webhook
 * receiver through the app's real delivery and is forwarded to the user; a forged webhook is refused.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as revokeRoute from "@/app/api/bot/keys/[telegramId]/route";
import * as refreshRoute from "@/app/api/bot/keys/refresh/route";
import * as keysRoute from "@/app/api/bot/keys/route";
import * as userRoute from "@/app/api/bot/users/[telegramId]/route";
import type { AppContext } from "@/server/composition/app-context";
import { assignments } from "@/server/db/schema";
import { migrationDeps } from "@/server/composition/service-deps";
import type { NextHandler } from "@/server/http/route";
import { applyAdoption } from "@/server/services/adoption/apply-adoption";
import { migrateUser } from "@/server/services/migration/migrate-user";
import { deliverDueNotifications } from "@/server/services/notifications/deliver-notifications";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";

const TOKEN = "bot-token-0123456789abcdef";
const SIGNING = "signing-secret-0123456789";
const WEBHOOK_SECRET = "whsec-examples-0123456789";
const ADMIN = { adminId: null, username: "ops", ip: null, userAgent: null };

let test: TestDatabase;
let fleet: SimulatedFleet;
let api: Server;
let base: string;
const children: ChildProcessWithoutNullStreams[] = [];

/** The bot routes over real HTTP, as the clients reach them in production. */
function serveBotRoutes(app: AppContext): Promise<Server> {
  const routes: [RegExp, string, NextHandler][] = [
    [/^\/api\/bot\/keys$/, "POST", keysRoute.POST.withApp(app)],
    [/^\/api\/bot\/keys\/refresh$/, "POST", refreshRoute.POST.withApp(app)],
    [/^\/api\/bot\/keys\/(?<telegramId>[^/]+)$/, "DELETE", revokeRoute.DELETE.withApp(app)],
    [/^\/api\/bot\/users\/(?<telegramId>[^/]+)$/, "GET", userRoute.GET.withApp(app)],
  ];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const route = routes.map(([pattern, method, handler]) => ({ match: pattern.exec(url.pathname), method, handler })).find((r) => r.match && r.method === req.method);
        if (!route) return res.writeHead(404).end();
        const headers = new Headers(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v] as [string, string]] : [])));
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const response = await route.handler(new Request(url, { method: req.method, headers, body }), { params: Promise.resolve({ ...route.match!.groups }) });
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })();
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function run(command: string, args: string[]): { child: ChildProcessWithoutNullStreams; lines: string[]; next: () => Promise<string> } {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  const lines: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  createInterface({ input: child.stdout }).on("line", (line) => (waiters.length ? waiters.shift()!(line) : lines.push(line)));
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const next = () =>
    new Promise<string>((resolve, reject) => {
      if (lines.length) return resolve(lines.shift()!);
      waiters.push(resolve);
      child.once("exit", (code) => reject(new Error(`${command} exited ${code}: ${stderr}`)));
    });
  return { child, lines, next };
}

const CLIENTS = {
  python: (args: string[]) => run("/usr/bin/python3", ["examples/bot/fleet_client.py", ...args]),
  typescript: (args: string[]) => run("npx", ["tsx", "examples/bot/fleet-client.ts", ...args]),
};

beforeAll(async () => {
  test = await createTestDatabase();
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill();
  await new Promise<void>((resolve) => api?.close(() => resolve()) ?? resolve());
  await fleet?.close();
  await test.db.execute(sql`TRUNCATE nodes, vpn_users, assignments, webhook_deliveries, operations, audit_log CASCADE`);
});
afterAll(async () => {
  await test.close();
});

describe.each(Object.keys(CLIENTS) as (keyof typeof CLIENTS)[])("the %s bot client", (language) => {
  it("serves an adopted user their unchanged key, reads it back, refreshes it, and forwards key.moved from a verified webhook", { timeout: 120_000 }, async () => {
    const start = CLIENTS[language];
    const receiver = start(["webhook", "--port", "0", "--secret", WEBHOOK_SECRET]);
    const port = Number((await receiver.next()).replace("listening ", ""));

    fleet = await startSimulatedFleet(test.db, [{ name: "a" }, { name: "b" }]);
    const app = createTestAppContext(test.db, {
      env: { BOT_API_TOKEN: TOKEN, BOT_SIGNING_SECRET: SIGNING, WEBHOOK_URL: `http://127.0.0.1:${port}/hook`, WEBHOOK_SECRET },
      overrides: { panelFor: fleet.panelFor },
    });
    api = await serveBotRoutes(app);
    base = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const alice = { id: randomUUID(), email: "alice", enable: true, tgId: 424242 };
    fleet.panel("a").state.addClients(fleet.panel("a").inboundId, [alice]);
    await applyAdoption({ db: test.db, panelFor: fleet.panelFor }, ADMIN, { nodeId: fleet.node("a").id, rule: { kind: "tgId" } });

    const demo = start(["demo", "--base", base, "--token", TOKEN, "--signing-secret", SIGNING, "--telegram-id", "424242", "--username", "alice"]);
    const result = JSON.parse(await demo.next()) as { key: string; again: string; info: { node: { name: string }; subscriptionUrl: string }; refreshed: string; unknown: null };
    expect(result.key).toContain(alice.id);
    expect(result.again).toBe(result.key);
    expect(result.info).toMatchObject({ telegramId: 424242, key: result.key, node: { name: "a" }, subscriptionUrl: expect.stringMatching(/\/sub\//) });
    expect(result.refreshed).not.toContain(alice.id);
    expect(result.unknown).toBeNull();

    // A move reaches the bot through the app's own signed delivery, and the user is told.
    const [live] = await test.db.select({ nodeId: assignments.nodeId }).from(assignments).where(eq(assignments.state, "active"));
    const other = fleet.nodes.find((n) => n.id !== live?.nodeId)!;
    expect((await migrateUser(migrationDeps(app), ADMIN, { telegramId: 424242, toNodeId: other.id })).outcome.status).toBe("succeeded");
    const report = await deliverDueNotifications({ ...app.notifications, db: test.db, clock: app.clock, fetch: app.fetch }, { budgetMs: 10_000 });
    expect(report.delivered).toBeGreaterThanOrEqual(1);
    const message = JSON.parse(await receiver.next()) as { chat_id: number; text: string };
    expect(message.chat_id).toBe(424242);
    expect(message.text).toContain(result.info.subscriptionUrl);

    // Anything not signed with the secret is refused before it is read.
    const forged = await fetch(`http://127.0.0.1:${port}/hook`, {
      method: "POST",
      headers: { "x-fleet-timestamp": String(Math.floor(Date.now() / 1000)), "x-fleet-signature": "sha256=00" },
      body: JSON.stringify({ event: "key.moved", data: { telegramId: 1, key: "x", subscriptionUrl: "y" } }),
    });
    expect(forged.status).toBe(401);
    expect(receiver.lines).toEqual([]);
  });
});
