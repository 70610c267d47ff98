/**
 * Observation 2: a database restart wrote a whole `vless://` link and telegram ids into the log.
 * The unit cases pin each secret shape; the failure paths below are the real ones (the database
 * connection killed while a key is being written, a closed database under /sub, panels that echo
 * what they were sent in their errors, bad input), and the captured output is searched for every
 * secret the test used.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as refreshRoute from "@/app/api/bot/keys/refresh/route";
import * as keysRoute from "@/app/api/bot/keys/route";
import * as subRoute from "@/app/sub/[token]/route";
import { nodeDeps } from "@/server/composition/service-deps";
import { openDatabase } from "@/server/db/client";
import { assignments, nodes, vpnUsers } from "@/server/db/schema";
import { createNode } from "@/server/services/nodes/create-node";
import { startSimulatedFleet, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { createTestActor } from "@/server/testing/test-actor";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { logger, redactSecrets } from "./logger";

describe("redactSecrets", () => {
  it.each([
    ["vless://0b1c8f2e-1111-4a2b-9c3d-abcdefabcdef@vpn.example.com:443?security=reality#x", "vless://0b1c8f2e"],
    ["link vmess://eyJhZGQiOiJ2cG4uZXhhbXBsZS5jb20ifQ== sent", "eyJhZGQi"],
    ["trojan://s3cret-pass@vpn.example.com:443", "s3cret-pass"],
    ["ss://YWVzLTI1Ni1nY206cGFzcw@1.2.3.4:8388", "YWVzLTI1Ni1nY206cGFzcw"],
    ["GET https://fleet.example.com/sub/AbCdEfGhIjKlMnOpQrStUvWxYz012345", "AbCdEfGhIjKlMnOpQrStUvWxYz012345"],
    ["Authorization: Bearer tok_0123456789abcdef", "tok_0123456789abcdef"],
    ["https://api.telegram.org/bot123456789:AAEhBP0av28xQ9nL0r3PMcX5a8NnRv4ABCD/sendMessage", "AAEhBP0av28xQ9nL0r3PMcX5a8NnRv4ABCD"],
    ["postgres://fleet:hunter2-db@db:5432/fleet", "hunter2-db"],
    ["username=admin&password=p%40ss-word-1", "p%40ss-word-1"],
    ['unexpected HTTP 500: {\\"id\\":\\"9f0e8d7c-aaaa-4bbb-8ccc-123456789abc\\",\\"email\\":\\"fleet-x\\"}', "9f0e8d7c-aaaa"],
    ["Set-Cookie: 3x-ui=MTcwMDAwMDAwMHxEdi1CQkFFQ; Path=/", "MTcwMDAwMDAwMHxEdi1CQkFFQ"],
  ])("blanks the secret in %s", (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
    expect(redactSecrets(text)).toContain("[redacted]");
  });

  it("leaves ordinary lines alone", () => {
    const line = JSON.stringify({ level: "info", msg: "health check", nodeId: "3e1d9a1e-0000-4000-8000-000000000001", id: 7, key: "health.fall" });
    expect(redactSecrets(line)).toBe(line);
  });
});

// --- the failure paths -------------------------------------------------------------------------

const BOT_TOKEN = "bot-token-logs-0123456789abcdef";
const PANEL_PASSWORD = "panel-pass-logs-7f3k";
const PANEL_API_TOKEN = "panel-api-token-logs-93jd7s";
const PANEL_COOKIE = "MTcwMDAwMDAwMHxEdi1CQkFFQ19sb2dz";

let test: TestDatabase;
let fleet: SimulatedFleet;
let echoPanel: http.Server;
let captured = "";

beforeAll(async () => {
  test = await createTestDatabase();
  // A panel that fails every call and puts what it was sent (body, token, cookie) in its error page.
  echoPanel = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const echoed = `${decodeURIComponent(body)} ${req.headers.authorization ?? ""} ${req.headers.cookie ?? ""}`;
      res.writeHead(500, { "content-type": "text/plain", "set-cookie": `3x-ui=${PANEL_COOKIE}; Path=/` }).end(echoed);
    });
  });
  await new Promise<void>((resolve) => echoPanel.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => echoPanel.close(() => resolve()));
  await test.close();
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

function captureLogs(): void {
  captured = "";
  // Tests log errors only (vitest.config.ts); here every level is written, as in production.
  vi.stubEnv("LOG_LEVEL", "debug");
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      captured += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    });
  }
}

const noParams = { params: Promise.resolve({}) };
const botPost = (path: string, body: string) =>
  new Request(`http://fleet.test${path}`, { method: "POST", headers: { authorization: `Bearer ${BOT_TOKEN}`, "content-type": "application/json" }, body });

describe("what the failure paths write to the log", () => {
  it("holds no secret after the database dies mid-write, a closed database, echoing panels and bad input", async () => {
    fleet = await startSimulatedFleet(test.db, [{ name: "sim", maxUsers: 100 }]);
    const app = createTestAppContext(test.db, { env: { BOT_API_TOKEN: BOT_TOKEN } });
    const fleetApp = { ...app, panelFor: fleet.panelFor };
    const created = await (await keysRoute.POST.withApp(fleetApp)(botPost("/api/bot/keys", JSON.stringify({ telegramId: 424242, username: "victim" })), noParams)).json();
    expect(created.key).toMatch(/^vless:\/\//);
    captureLogs();

    // 1. The connection dies exactly when the new share link is being written (a PostgreSQL restart).
    await test.db.execute(sql`
      CREATE FUNCTION die_on_share_link() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$`);
    await test.db.execute(sql`
      CREATE TRIGGER die_on_share_link BEFORE UPDATE ON assignments FOR EACH ROW
      WHEN (NEW.share_link IS NOT NULL AND NEW.share_link IS DISTINCT FROM OLD.share_link) EXECUTE FUNCTION die_on_share_link()`);
    const dying = await openDatabase({ url: test.url, maxConnections: 1 });
    const refreshed = await refreshRoute.POST.withApp({ ...fleetApp, db: dying.db })(botPost("/api/bot/keys/refresh", JSON.stringify({ telegramId: 424242 })), noParams);
    expect(refreshed.status).toBeGreaterThanOrEqual(500);
    await test.db.execute(sql`DROP TRIGGER die_on_share_link ON assignments`);
    await dying.close();

    // 2. /sub on a database that is gone.
    const closed = await openDatabase({ url: test.url, maxConnections: 1 });
    await closed.close();
    const token = String(created.subscriptionUrl).split("/sub/")[1]!;
    const sub = await subRoute.GET.withApp({ ...fleetApp, db: closed.db })(new Request(created.subscriptionUrl), { params: Promise.resolve({ token }) });
    expect(sub.status).toBeGreaterThanOrEqual(500);

    // 3. Panels whose error pages echo the password, the API token and the session cookie.
    await test.db.update(nodes).set({ adminState: "disabled" }).where(eq(nodes.name, "sim"));
    const actor = await createTestActor(test.db, "admin");
    const panelUrl = `http://127.0.0.1:${(echoPanel.address() as AddressInfo).port}/`;
    for (const [name, inboundId, credentials] of [
      ["echo-password", 1, { panelUsername: "admin", panelPassword: PANEL_PASSWORD }],
      ["echo-token", 2, { panelApiToken: PANEL_API_TOKEN }],
    ] as const) {
      // The echoing panel fails every connection test: saved disabled, then put in service by hand.
      const node = await createNode(nodeDeps(app), actor, { name, panelUrl, inboundId, saveDisabled: true, ...credentials });
      await test.db.update(nodes).set({ healthState: "healthy", adminState: "active" }).where(eq(nodes.id, node.id));
    }
    const failed = await keysRoute.POST.withApp(app)(botPost("/api/bot/keys", JSON.stringify({ telegramId: 515151 })), noParams);
    expect(failed.status).toBe(502);

    // 4. Bad input carrying secrets is refused without being written down.
    const bad = await keysRoute.POST.withApp(app)(botPost("/api/bot/keys", JSON.stringify({ telegramId: created.key, username: BOT_TOKEN })), noParams);
    expect(bad.status).toBe(400);

    const secrets = [BOT_TOKEN, PANEL_PASSWORD, PANEL_API_TOKEN, PANEL_COOKIE, created.key, token];
    for (const row of await test.db.select({ clientId: assignments.clientId, shareLink: assignments.shareLink }).from(assignments)) {
      secrets.push(row.clientId);
      if (row.shareLink) secrets.push(row.shareLink);
    }
    for (const row of await test.db.select({ token: vpnUsers.subscriptionToken }).from(vpnUsers)) secrets.push(row.token);

    // The paths above did log: the lost connections by their codes, the panels' failures.
    expect(captured).toContain('"code":"CONNECTION_CLOSED"');
    expect(captured).toContain('"code":"CONNECTION_ENDED"');
    expect(captured).toContain("key placement failed on a node");
    expect(captured).not.toContain("Failed query");
    expect(captured).not.toContain("424242");
    for (const secret of secrets) expect(captured, `the log holds ${secret}`).not.toContain(secret);
    await fleet.close();
  });

  it("describes a database error by code, constraint and table only", () => {
    captureLogs();
    const pgError = Object.assign(new Error('duplicate key value violates unique constraint "vpn_users_telegram_id_unique"'), {
      code: "23505",
      severity: "ERROR",
      detail: "Key (telegram_id)=(777) already exists.",
      table_name: "vpn_users",
      constraint_name: "vpn_users_telegram_id_unique",
    });
    const drizzleError = Object.assign(new Error("Failed query: insert into vpn_users values ($1)\nparams: 777"), { query: "insert …", params: [777], cause: pgError });
    logger.error("insert failed", { error: drizzleError });
    const entry = JSON.parse(captured.trim());
    expect(entry.error).toEqual({ name: "DatabaseError", cause: { name: "DatabaseError", code: "23505", constraint: "vpn_users_telegram_id_unique", table: "vpn_users" } });
  });
});
