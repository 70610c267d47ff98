import http from "node:http";
import type { AddressInfo } from "node:net";
import { eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { auditLog, events, webhookDeliveries } from "@/server/db/schema";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { deliverDueNotifications, MAX_ATTEMPTS, retryDelayMs } from "./deliver-notifications";
import { listDeliveries, retryDelivery } from "./delivery-log";
import { enqueueNotification, recordNotifiedEvent } from "./enqueue-notification";
import type { NotificationConfig, NotificationDeps } from "./notification-config";
import { relayEventNotifications } from "./relay-events";
import { signWebhook, verifyWebhookSignature } from "./webhook-signature";
import { ref } from "@/server/messages";

type Received = { path: string; headers: http.IncomingHttpHeaders; body: string };

/** A loopback receiver standing in for the bot and for api.telegram.org. */
async function startReceiver() {
  const received: Received[] = [];
  let status = 200;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body });
      res.writeHead(status, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    answer: (s: number) => (status = s),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const SECRET = "whsec-test-0123456789";
let test: TestDatabase;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
// Slightly ahead of the database clock, so rows queued with DEFAULT now() are due.
const soon = () => new Date(Date.now() + 1_000);
let now = soon();

beforeAll(async () => {
  test = await createTestDatabase();
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await test.close();
});
afterEach(async () => {
  receiver.received.length = 0;
  receiver.answer(200);
  now = soon();
  await test.db.execute(sql`TRUNCATE webhook_deliveries, events, audit_log CASCADE`);
});

function config(): NotificationConfig {
  return { webhook: { url: `${receiver.url}/hooks/fleet`, secret: SECRET }, telegram: { apiBase: receiver.url, botToken: "123:ABC", chatId: "-100" } };
}
function deps(): NotificationDeps & { db: TestDatabase["db"] } {
  return { ...config(), db: test.db, fetch: (url, init) => fetch(url, init), clock: { now: () => now } };
}
const rows = () => test.db.select().from(webhookDeliveries).orderBy(webhookDeliveries.id);

describe("webhook signatures", () => {
  const body = JSON.stringify({ event: "key.moved", data: { telegramId: 1 } });
  const t = 1_790_000_000;
  const at = new Date(t * 1000);

  it("verifies what was signed and nothing else", () => {
    const signature = signWebhook(SECRET, t, body);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: String(t), signature, now: at })).toBe(true);
    expect(verifyWebhookSignature({ secret: SECRET, body: body.replace("1", "2"), timestamp: String(t), signature, now: at })).toBe(false);
    expect(verifyWebhookSignature({ secret: "another-secret-000", body, timestamp: String(t), signature, now: at })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: String(t + 1), signature, now: at })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: String(t), signature: signature.slice(0, -1), now: at })).toBe(false);
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: null, signature, now: at })).toBe(false);
  });

  it("refuses a signature outside the tolerance window (replay)", () => {
    const signature = signWebhook(SECRET, t, body);
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: String(t), signature, now: new Date((t + 299) * 1000) })).toBe(true);
    expect(verifyWebhookSignature({ secret: SECRET, body, timestamp: String(t), signature, now: new Date((t + 301) * 1000) })).toBe(false);
  });
});

describe("outbox", () => {
  it("queues nothing when the transaction that reports it rolls back", async () => {
    await test.db
      .transaction(async (tx) => {
        await enqueueNotification(tx, config(), { event: "key.moved", data: { telegramId: 5 } });
        throw new Error("rollback");
      })
      .catch(() => undefined);
    expect(await rows()).toHaveLength(0);
  });

  it("sends key.moved to the bot only, alerts to both channels, and nothing for an unconfigured channel", async () => {
    await enqueueNotification(test.db, config(), { event: "key.moved", data: { telegramId: 5, key: "vless://secret" } });
    await recordNotifiedEvent(test.db, config(), { kind: "capacity.low", severity: "warning", message: "3 users fit nowhere", messageRef: ref("event.capacity.low", { count: 3, node: "a", kind: "drain" }), data: { unplaced: 3 } });
    await enqueueNotification(test.db, { webhook: null, telegram: null }, { event: "node.down", data: {} });
    expect((await rows()).map((r) => `${r.channel}:${r.event}`)).toEqual(["webhook:key.moved", "webhook:capacity.low", "telegram:capacity.low"]);
  });

  it("relays node transitions written by the health sweep once per channel", async () => {
    await test.db.insert(events).values({ kind: "node.down", severity: "critical", message: 'Node "nl-1" is unhealthy', data: { from: "healthy", to: "unhealthy" } });
    await test.db.insert(events).values({ kind: "node.degraded", severity: "warning", message: "not relayed" });
    await test.db.insert(events).values({ kind: "node.up", severity: "info", message: "too old", createdAt: new Date(now.getTime() - 2 * 3600_000) });
    expect(await relayEventNotifications(test.db, config(), now)).toBe(1);
    expect(await relayEventNotifications(test.db, config(), now)).toBe(0);
    const queued = await rows();
    expect(queued.map((r) => `${r.channel}:${r.event}`)).toEqual(["webhook:node.down", "telegram:node.down"]);
    expect(queued[0]?.payload).toMatchObject({ to: "unhealthy", message: 'Node "nl-1" is unhealthy' });
  });
});

describe("delivery", () => {
  it("POSTs a body whose signature verifies, and logs the answer", async () => {
    await enqueueNotification(test.db, config(), { event: "key.moved", data: { telegramId: 77, key: "vless://k" } });
    const report = await deliverDueNotifications(deps(), { budgetMs: 5_000 });
    expect(report).toEqual({ attempted: 1, delivered: 1, retrying: 0, failed: 0 });
    const [hit] = receiver.received;
    expect(hit?.path).toBe("/hooks/fleet");
    expect(hit?.headers["x-fleet-event"]).toBe("key.moved");
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        body: hit?.body ?? "",
        timestamp: hit?.headers["x-fleet-timestamp"] as string,
        signature: hit?.headers["x-fleet-signature"] as string,
        now,
      }),
    ).toBe(true);
    expect(JSON.parse(hit?.body ?? "{}")).toMatchObject({ event: "key.moved", data: { telegramId: 77, key: "vless://k" } });
    const [row] = await rows();
    expect(row).toMatchObject({ status: "delivered", attempts: 1, responseStatus: 200, lastError: null });
  });

  it("sends alerts through the Bot API to the configured chat", async () => {
    await recordNotifiedEvent(test.db, { ...config(), webhook: null }, { kind: "failover.held", severity: "critical", message: "7 of 8 nodes failed", messageRef: ref("event.failover.held", { failed: 7, fleet: 8, limit: 3 }), data: {} });
    await deliverDueNotifications(deps(), { budgetMs: 5_000 });
    expect(receiver.received.map((r) => r.path)).toEqual(["/bot123:ABC/sendMessage"]);
    expect(JSON.parse(receiver.received[0]?.body ?? "{}")).toMatchObject({ chat_id: "-100", text: expect.stringContaining("7 of 8 nodes failed") });
  });

  it("retries a failed delivery with exponential backoff, then delivers it", async () => {
    receiver.answer(503);
    await enqueueNotification(test.db, { ...config(), telegram: null }, { event: "node.up", data: {} });
    expect(await deliverDueNotifications(deps(), { budgetMs: 5_000 })).toMatchObject({ attempted: 1, retrying: 1 });
    let [row] = await rows();
    expect(row).toMatchObject({ status: "pending", attempts: 1, responseStatus: 503, lastError: "HTTP 503" });
    expect(row?.nextAttemptAt.getTime()).toBe(now.getTime() + retryDelayMs(1));

    now = new Date(now.getTime() + retryDelayMs(1) - 1_000);
    expect((await deliverDueNotifications(deps(), { budgetMs: 5_000 })).attempted).toBe(0);
    now = new Date(now.getTime() + 1_000);
    expect((await deliverDueNotifications(deps(), { budgetMs: 5_000 })).attempted).toBe(1);
    [row] = await rows();
    expect(row?.attempts).toBe(2);
    expect(row?.nextAttemptAt.getTime()).toBe(now.getTime() + retryDelayMs(2));
    expect(retryDelayMs(2)).toBe(2 * retryDelayMs(1));

    receiver.answer(204);
    now = new Date(now.getTime() + retryDelayMs(2));
    expect(await deliverDueNotifications(deps(), { budgetMs: 5_000 })).toMatchObject({ attempted: 1, delivered: 1 });
    expect(receiver.received).toHaveLength(3);
    [row] = await rows();
    expect(row).toMatchObject({ status: "delivered", attempts: 3, responseStatus: 204 });
  });

  it("caps the backoff and gives up after the last attempt; an admin can queue it again", async () => {
    expect(retryDelayMs(30)).toBe(60 * 60_000);
    receiver.answer(500);
    await enqueueNotification(test.db, { ...config(), telegram: null }, { event: "node.down", data: {} });
    await test.db.update(webhookDeliveries).set({ attempts: MAX_ATTEMPTS - 1 });
    expect(await deliverDueNotifications(deps(), { budgetMs: 5_000 })).toMatchObject({ failed: 1 });
    const [row] = await rows();
    expect(row).toMatchObject({ status: "failed", attempts: MAX_ATTEMPTS });

    const actor = { adminId: null, username: "ops", ip: null, userAgent: null };
    await retryDelivery(test.db, actor, { id: row!.id });
    expect((await rows())[0]).toMatchObject({ status: "pending", attempts: 0 });
    expect(await test.db.select().from(auditLog).where(eq(auditLog.action, "notification.retry"))).toHaveLength(1);
    receiver.answer(200);
    now = soon();
    expect(await deliverDueNotifications(deps(), { budgetMs: 5_000 })).toMatchObject({ delivered: 1 });
  });

  it("records an unreachable receiver as a retry, never leaking the bot token", async () => {
    const closed = await startReceiver();
    await closed.close();
    await recordNotifiedEvent(test.db, { webhook: null, telegram: { apiBase: closed.url, botToken: "999:SECRET", chatId: "1" } }, { kind: "node.down", severity: "critical", message: "down", messageRef: ref("event.node.down", { node: "a", from: "healthy", reason: "refused" }), data: {} });
    const d = { ...deps(), telegram: { apiBase: closed.url, botToken: "999:SECRET", chatId: "1" } };
    expect(await deliverDueNotifications(d, { budgetMs: 5_000 })).toMatchObject({ retrying: 1 });
    const [row] = await rows();
    // The connection error as fetch words it, to be retried after the first back-off; no token in it.
    expect(row).toMatchObject({ status: "pending", attempts: 1, responseStatus: null, lastError: "fetch failed" });
    expect(row!.nextAttemptAt).toEqual(new Date(now.getTime() + retryDelayMs(1)));
  });

  it("two concurrent deliverers send each row once", async () => {
    for (let i = 0; i < 30; i++) await enqueueNotification(test.db, { ...config(), telegram: null }, { event: "key.moved", data: { telegramId: i } });
    const [a, b] = await Promise.all([deliverDueNotifications(deps(), { budgetMs: 5_000 }), deliverDueNotifications(deps(), { budgetMs: 5_000 })]);
    expect((a?.delivered ?? 0) + (b?.delivered ?? 0)).toBe(30);
    expect(receiver.received).toHaveLength(30);
  });

  it("the log hides the key a key.moved payload carries", async () => {
    await enqueueNotification(test.db, { ...config(), telegram: null }, { event: "key.moved", data: { telegramId: 9, key: "vless://secret" } });
    const { items } = await listDeliveries(test.db, { limit: 10 });
    expect(items[0]?.payload).toEqual({ telegramId: 9, key: "[hidden]" });
  });
});
