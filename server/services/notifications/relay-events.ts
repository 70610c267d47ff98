/**
 * Node transitions and held failovers are written as `events` rows by the health sweep, in its
 * own transactions. This relay turns the recent ones into outbox rows. It is idempotent (unique
 * channel + event id, ON CONFLICT DO NOTHING), so every cron ping and every replica may run it;
 * a notification for an event is therefore queued at most one ping after the event committed.
 */
import { and, eq, gte, inArray, or, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { events, nodes, webhookDeliveries } from "@/server/db/schema";
import { enqueueNotification, type WebhookEvent } from "./enqueue-notification";
import type { NotificationConfig } from "./notification-config";

const RELAYED: WebhookEvent[] = ["node.down", "node.up", "failover.held"];

/** Older events are history, not news: a webhook configured today does not replay last week. */
const RELAY_WINDOW_MS = 60 * 60_000;

export async function relayEventNotifications(db: Database, config: NotificationConfig, now: Date): Promise<number> {
  const channels = [config.webhook && ("webhook" as const), config.telegram && ("telegram" as const)].filter((c) => c !== null);
  if (channels.length === 0) return 0;
  // Only events some configured channel has not queued yet, so a quiet ping writes nothing.
  const isMissing = channels.map(
    (channel) => sql`NOT EXISTS (SELECT 1 FROM ${webhookDeliveries} WHERE ${webhookDeliveries.eventId} = ${events.id} AND ${webhookDeliveries.channel} = ${channel})`,
  );
  const recent = await db
    .select({ event: events, nodeName: nodes.name, location: nodes.location })
    .from(events)
    .leftJoin(nodes, eq(nodes.id, events.nodeId))
    .where(and(inArray(events.kind, RELAYED), gte(events.createdAt, new Date(now.getTime() - RELAY_WINDOW_MS)), or(...isMissing)));
  for (const { event, nodeName, location } of recent) {
    await enqueueNotification(db, config, {
      event: event.kind as WebhookEvent,
      eventId: event.id,
      message: event.message,
      data: {
        ...(event.data ?? {}),
        nodeId: event.nodeId,
        ...(event.nodeId ? { node: { id: event.nodeId, name: nodeName, location } } : {}),
        message: event.message,
        occurredAt: event.createdAt.toISOString(),
      },
    });
  }
  return recent.length;
}
