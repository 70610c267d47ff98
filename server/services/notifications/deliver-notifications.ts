/**
 * Delivers due outbox rows inside a time budget, from the cron. Safe across replicas: a batch is
 * claimed with FOR UPDATE SKIP LOCKED and its `next_attempt_at` pushed past the send timeout in
 * the same statement, so the claim outlives the transaction and another replica skips the rows
 * until then (a replica that dies mid-send just lets them come due again).
 *
 * A failed attempt is retried with exponential backoff (30 s, 1 min, 2 min … capped at 1 h) up to
 * MAX_ATTEMPTS, then the row is `failed`; an admin can queue it again. Each attempt records the
 * response status and the error, which is the delivery log.
 */
import { and, asc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { webhookDeliveries, type WebhookDelivery } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { NotificationDeps } from "./notification-config";
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from "./webhook-signature";

export const MAX_ATTEMPTS = 10;
const RETRY_BASE_MS = 30_000;
const RETRY_CAP_MS = 60 * 60_000;
const SEND_TIMEOUT_MS = 10_000;
const BATCH = 20;
const CONCURRENCY = 4;

/** Delay before attempt `attempt + 1`, after `attempt` failed ones. */
export function retryDelayMs(attempt: number): number {
  return Math.min(RETRY_BASE_MS * 2 ** Math.max(0, attempt - 1), RETRY_CAP_MS);
}

/** The JSON body of a webhook: stable across attempts, so receivers may dedupe by `id`. */
function webhookBody(row: Pick<WebhookDelivery, "id" | "event" | "payload" | "createdAt">): string {
  return JSON.stringify({ id: row.id, event: row.event, createdAt: row.createdAt.toISOString(), data: row.payload });
}

export type DeliveryReport = { attempted: number; delivered: number; retrying: number; failed: number };

type Sent = { ok: true; status: number } | { ok: false; status: number | null; error: string };

async function send(deps: NotificationDeps, row: WebhookDelivery, timeoutMs: number): Promise<Sent> {
  const now = deps.clock.now();
  let url: string;
  let headers: Record<string, string>;
  let body: string;
  let secretInUrl: string | null = null;
  if (row.channel === "webhook") {
    if (!deps.webhook) return { ok: false, status: null, error: "WEBHOOK_URL or WEBHOOK_SECRET is no longer set" };
    const timestamp = Math.floor(now.getTime() / 1000);
    url = deps.webhook.url;
    body = webhookBody(row);
    headers = {
      "content-type": "application/json",
      "user-agent": "x3ui-fleet-webhook/1",
      [EVENT_HEADER]: row.event,
      [DELIVERY_HEADER]: String(row.id),
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: signWebhook(deps.webhook.secret, timestamp, body),
    };
  } else {
    if (!deps.telegram) return { ok: false, status: null, error: "ALERT_TELEGRAM_BOT_TOKEN or ALERT_TELEGRAM_CHAT_ID is no longer set" };
    secretInUrl = deps.telegram.botToken;
    url = `${deps.telegram.apiBase}/bot${deps.telegram.botToken}/sendMessage`;
    body = JSON.stringify({ chat_id: deps.telegram.chatId, text: String(row.payload.text ?? row.event), disable_web_page_preview: true });
    headers = { "content-type": "application/json" };
  }
  try {
    const response = await deps.fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status >= 200 && response.status < 300) return { ok: true, status: response.status };
    return { ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    const text = error instanceof Error ? (error.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : error.message) : "request failed";
    // The bot token is part of the Bot API URL; no error text we store may carry it.
    return { ok: false, status: null, error: secretInUrl ? text.replaceAll(secretInUrl, "[token]") : text };
  }
}

async function claimDue(deps: NotificationDeps, db: Database, limit: number): Promise<WebhookDelivery[]> {
  const now = deps.clock.now();
  const due = db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now)))
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(limit)
    .for("update", { skipLocked: true });
  return db
    .update(webhookDeliveries)
    .set({ attempts: sql`${webhookDeliveries.attempts} + 1`, nextAttemptAt: new Date(now.getTime() + SEND_TIMEOUT_MS * 3) })
    .where(inArray(webhookDeliveries.id, due))
    .returning();
}

async function record(deps: NotificationDeps, db: Database, row: WebhookDelivery, sent: Sent): Promise<"delivered" | "retrying" | "failed"> {
  const now = deps.clock.now();
  if (sent.ok) {
    await db
      .update(webhookDeliveries)
      .set({ status: "delivered", deliveredAt: now, responseStatus: sent.status, lastError: null })
      .where(eq(webhookDeliveries.id, row.id));
    return "delivered";
  }
  const isFinal = row.attempts >= MAX_ATTEMPTS;
  await db
    .update(webhookDeliveries)
    .set({
      status: isFinal ? "failed" : "pending",
      responseStatus: sent.status,
      lastError: sent.error.slice(0, 500),
      nextAttemptAt: new Date(now.getTime() + retryDelayMs(row.attempts)),
    })
    .where(eq(webhookDeliveries.id, row.id));
  logger.warn("notification delivery failed", { deliveryId: row.id, channel: row.channel, event: row.event, attempt: row.attempts, error: sent.error });
  return isFinal ? "failed" : "retrying";
}

export async function deliverDueNotifications(deps: NotificationDeps & { db: Database }, options: { budgetMs: number }): Promise<DeliveryReport> {
  const deadline = performance.now() + options.budgetMs;
  const report: DeliveryReport = { attempted: 0, delivered: 0, retrying: 0, failed: 0 };
  for (;;) {
    const remaining = deadline - performance.now();
    // Start nothing that could not finish inside the budget.
    if (remaining < 1_000) break;
    const batch = await claimDue(deps, deps.db, BATCH);
    if (batch.length === 0) break;
    const timeoutMs = Math.floor(Math.min(SEND_TIMEOUT_MS, remaining));
    const queue = [...batch];
    const worker = async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        report.attempted++;
        const outcome = await record(deps, deps.db, row, await send(deps, row, timeoutMs));
        report[outcome]++;
        deps.metrics?.webhookAttempt(row.channel, outcome);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, batch.length) }, worker));
    if (batch.length < BATCH) break;
  }
  return report;
}
