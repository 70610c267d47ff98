/**
 * Notifications in the running app: configuration from the validated env, the real `fetch`, and
 * the cron step that relays health events into the outbox and delivers what is due.
 */
import { getEnv } from "@/server/env";
import type { CronStep } from "@/server/services/cron/run-cron";
import { deliverDueNotifications } from "./deliver-notifications";
import { notificationConfigFromEnv, type NotificationConfig } from "./notification-config";
import { relayEventNotifications } from "./relay-events";

export const NOTIFICATIONS_STEP = "notifications";

export function appNotificationConfig(): NotificationConfig {
  return notificationConfigFromEnv(getEnv());
}

export function notificationsCronStep(): CronStep {
  return {
    name: NOTIFICATIONS_STEP,
    reserveMs: 3_000,
    run: async ({ db, clock, budgetMs }) => {
      const config = appNotificationConfig();
      const relayed = await relayEventNotifications(db, config, clock.now());
      const delivered = await deliverDueNotifications({ ...config, db, clock, fetch: (url, init) => fetch(url, init) }, { budgetMs });
      return { relayed, ...delivered };
    },
  };
}
