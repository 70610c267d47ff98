/**
 * The user.* webhooks for the bot: user.expiring (USER_EXPIRING_DAYS before expiry), user.expired
 * and user.quota_exceeded (the moment the enforcer switches the user off everywhere). Queued in
 * the outbox in the transaction of the change they report, so each goes out once per change.
 */
import type { Database } from "@/server/db/client";
import type { VpnUser } from "@/server/db/schema";
import type { Transaction } from "@/server/services/audit/record-audit";
import { enqueueNotification, type WebhookEvent } from "@/server/services/notifications/enqueue-notification";
import type { NotificationConfig } from "@/server/services/notifications/notification-config";
import { usedBytes, type Suspension } from "./user-plan";

const DAY_MS = 86_400_000;

type UserEvent = Extract<WebhookEvent, `user.${string}`>;

export const SUSPENSION_EVENT: Record<Suspension, UserEvent> = { expired: "user.expired", over_quota: "user.quota_exceeded" };

type EventUser = Pick<VpnUser, "telegramId" | "username" | "expiresAt" | "trafficLimitBytes" | "uploadBytes" | "downloadBytes">;

export async function notifyUserEvent(
  tx: Database | Transaction,
  config: NotificationConfig,
  event: UserEvent,
  user: EventUser,
  now: Date,
): Promise<void> {
  await enqueueNotification(tx, config, {
    event,
    data: {
      telegramId: user.telegramId,
      username: user.username,
      expiresAt: user.expiresAt?.toISOString() ?? null,
      ...(event === "user.expiring" && user.expiresAt ? { daysLeft: Math.max(0, Math.ceil((user.expiresAt.getTime() - now.getTime()) / DAY_MS)) } : {}),
      trafficLimitBytes: user.trafficLimitBytes,
      usedBytes: usedBytes(user),
      uploadBytes: user.uploadBytes,
      downloadBytes: user.downloadBytes,
      occurredAt: now.toISOString(),
    },
  });
}
