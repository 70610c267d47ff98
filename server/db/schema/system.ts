import { bigint, bigserial, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { admins } from "./admins";
import { deliveryStatus, eventSeverity, notificationChannel } from "./enums";
import type { MessageRef } from "@/server/message-ref";
import { nodes } from "./nodes";

/** Invariant 9: every admin mutation writes one row here, in the transaction of the mutation. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    actorAdminId: uuid().references(() => admins.id, { onDelete: "set null" }),
    actorName: text().notNull(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text(),
    before: jsonb().$type<unknown>(),
    after: jsonb().$type<unknown>(),
    ip: text(),
    userAgent: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_log_created_idx").on(t.createdAt), index("audit_log_target_idx").on(t.targetType, t.targetId)],
);

/** What the system itself did or noticed: node transitions, held failovers, capacity, reconciler findings. */
export const events = pgTable(
  "events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    kind: text().notNull(),
    severity: eventSeverity().notNull().default("info"),
    nodeId: uuid().references(() => nodes.id, { onDelete: "set null" }),
    /** English, for alerts, webhooks and logs; `message_ref` is what the dashboard renders. */
    message: text().notNull(),
    messageRef: jsonb().$type<MessageRef>(),
    data: jsonb().$type<Record<string, unknown>>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("events_created_idx").on(t.createdAt),
    index("events_kind_idx").on(t.kind, t.createdAt),
    index("events_node_time_idx").on(t.nodeId, t.createdAt),
  ],
);

/**
 * Outbox of notifications: signed webhooks to the bot and admin alerts to Telegram. A row is
 * written in the transaction of what it reports; `event_id` links rows relayed from `events`
 * written by other services, and its unique index with `channel` makes that relay idempotent.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    channel: notificationChannel().notNull().default("webhook"),
    eventId: bigint({ mode: "number" }).references(() => events.id, { onDelete: "set null" }),
    event: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    status: deliveryStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    responseStatus: integer(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_created_idx").on(t.createdAt),
    uniqueIndex("webhook_deliveries_channel_event_uq").on(t.channel, t.eventId),
  ],
);

/** Nonces of signed bot requests seen recently: a replay inside the clock-skew window is refused. */
export const botNonces = pgTable(
  "bot_nonces",
  {
    nonce: text().primaryKey(),
    seenAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("bot_nonces_seen_idx").on(t.seenAt)],
);

/** Operator-editable settings (thresholds); a missing key falls back to the env default. */
export const appSettings = pgTable("app_settings", {
  key: text().primaryKey(),
  value: jsonb().$type<unknown>().notNull(),
  updatedBy: text(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type AuditEntry = typeof auditLog.$inferSelect;
export type SystemEvent = typeof events.$inferSelect;
export type WebhookDelivery = typeof webhookDeliveries.$inferSelect;
