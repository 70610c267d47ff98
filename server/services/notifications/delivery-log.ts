/**
 * The delivery log the dashboard shows (newest first, keyset-paginated) and the admin's retry.
 * A key.moved payload carries the user's VPN key; the log shows that it was sent, not the key.
 */
import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { webhookDeliveries, type WebhookDelivery } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "@/server/services/actor";
import { recordAudit } from "@/server/services/audit/record-audit";

export type DeliveryLogInput = {
  status?: WebhookDelivery["status"];
  channel?: WebhookDelivery["channel"];
  limit: number;
  /** Rows with a smaller id than this (the last id of the previous page). */
  beforeId?: number;
};

export type DeliveryView = Omit<WebhookDelivery, "payload"> & { payload: Record<string, unknown> };

const HIDDEN_FIELDS = new Set(["key"]);

function toView(row: WebhookDelivery): DeliveryView {
  const payload = Object.fromEntries(Object.entries(row.payload).map(([k, v]) => [k, HIDDEN_FIELDS.has(k) ? "[hidden]" : v]));
  return { ...row, payload };
}

export async function listDeliveries(db: Database, input: DeliveryLogInput): Promise<{ items: DeliveryView[]; nextBeforeId: number | null }> {
  const filters: (SQL | undefined)[] = [
    input.status ? eq(webhookDeliveries.status, input.status) : undefined,
    input.channel ? eq(webhookDeliveries.channel, input.channel) : undefined,
    input.beforeId ? lt(webhookDeliveries.id, input.beforeId) : undefined,
  ];
  const rows = await db
    .select()
    .from(webhookDeliveries)
    .where(and(...filters))
    .orderBy(desc(webhookDeliveries.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  return { items: page.map(toView), nextBeforeId: rows.length > input.limit ? (page.at(-1)?.id ?? null) : null };
}

/** Queues a delivery again now, with a fresh attempt count; a delivered one is left alone. */
export async function retryDelivery(db: Database, actor: AuditActor, input: { id: number }): Promise<DeliveryView> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, input.id)).for("update");
    if (!current) throw new AppError("NOT_FOUND", ref("error.delivery.notFound"));
    if (current.status === "delivered") throw new AppError("CONFLICT", ref("error.delivery.delivered"));
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", attempts: 0, nextAttemptAt: new Date() })
      .where(eq(webhookDeliveries.id, input.id))
      .returning();
    await recordAudit(tx, actor, {
      action: "notification.retry",
      targetType: "webhook_delivery",
      targetId: String(input.id),
      before: { status: current.status, attempts: current.attempts, lastError: current.lastError },
      after: { status: "pending" },
    });
    return toView(updated ?? current);
  });
}
