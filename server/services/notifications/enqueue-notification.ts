/**
 * Queues notifications in the outbox (`webhook_deliveries`), in the caller's transaction: a
 * notification exists if and only if what it reports committed. Delivery happens later, from the
 * cron (deliver-notifications.ts), with retries.
 *
 * Events that go out:
 * - webhook (the bot): key.moved, node.down, node.up, failover.held, capacity.low, user.expiring,
 *   user.expired, user.quota_exceeded
 * - telegram (admins): node.down, node.up, failover.held, capacity.low — never key.moved, which
 *   carries a user's key and is the bot's to pass on.
 */
import { sql, type WithSubquery } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { events, webhookDeliveries } from "@/server/db/schema";
import type { Transaction } from "@/server/services/audit/record-audit";
import type { NotificationConfig } from "./notification-config";
import type { MessageRef } from "@/server/message-ref";

export type WebhookEvent =
  | "key.moved"
  | "node.down"
  | "node.up"
  | "failover.held"
  | "capacity.low"
  | "user.expiring"
  | "user.expired"
  | "user.quota_exceeded";

const ALERT_EVENTS: ReadonlySet<string> = new Set<WebhookEvent>(["node.down", "node.up", "failover.held", "capacity.low"]);

function isAlertEvent(event: string): boolean {
  return ALERT_EVENTS.has(event);
}

const ICON: Record<string, string> = { "node.down": "🔴", "node.up": "🟢", "failover.held": "⏸️", "capacity.low": "⚠️" };

function alertText(event: string, message: string): string {
  return `${ICON[event] ?? "ℹ️"} ${event}\n${message}`;
}

export type Notification = {
  event: WebhookEvent;
  /** The webhook's `data`; for alerts, `message` is also the Telegram text. */
  data: Record<string, unknown>;
  message?: string;
  /** The `events` row this reports, when there is one. */
  eventId?: number | null;
};

/**
 * Queues `notification` on every configured channel. `along`: a write of the caller's (a
 * data-modifying CTE) sent in the same statement, so a hot transaction saves a round trip; it runs
 * on its own when nothing is queued.
 */
export async function enqueueNotification(tx: Database | Transaction, config: NotificationConfig, notification: Notification, along?: WithSubquery): Promise<void> {
  const rows: (typeof webhookDeliveries.$inferInsert)[] = [];
  const eventId = notification.eventId ?? null;
  if (config.webhook) rows.push({ channel: "webhook", eventId, event: notification.event, payload: notification.data });
  if (config.telegram && isAlertEvent(notification.event)) {
    rows.push({ channel: "telegram", eventId, event: notification.event, payload: { text: alertText(notification.event, notification.message ?? notification.event) } });
  }
  if (rows.length > 0) await (along ? tx.with(along) : tx).insert(webhookDeliveries).values(rows).onConflictDoNothing();
  else if (along) await tx.with(along).select({ done: sql`1` }).from(along);
}

export type SystemEventInput = {
  kind: WebhookEvent;
  severity: "info" | "warning" | "critical";
  nodeId?: string | null;
  /** English, for the alert, the webhook and the logs. */
  message: string;
  /** The same for the dashboard, in the reader's language. */
  messageRef: MessageRef;
  data: Record<string, unknown>;
  /** When it happened by the caller's clock, where the caller compares it with that clock later; the database's time otherwise. */
  at?: Date;
};

/** An `events` row and its notifications, in one transaction. */
export async function recordNotifiedEvent(tx: Database | Transaction, config: NotificationConfig, input: SystemEventInput): Promise<void> {
  const [row] = await tx
    .insert(events)
    .values({ kind: input.kind, severity: input.severity, nodeId: input.nodeId ?? null, message: input.message, messageRef: input.messageRef, data: input.data, ...(input.at ? { createdAt: input.at } : {}) })
    .returning({ id: events.id, createdAt: events.createdAt });
  await enqueueNotification(tx, config, {
    event: input.kind,
    eventId: row?.id ?? null,
    message: input.message,
    data: { ...input.data, nodeId: input.nodeId ?? null, message: input.message, occurredAt: row?.createdAt.toISOString() },
  });
}
