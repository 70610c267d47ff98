/** The cron step that relays health events into the outbox and delivers what is due. */
import type { Database } from "@/server/db/client";
import type { CronStep } from "@/server/services/cron/run-cron";
import { deliverDueNotifications } from "./deliver-notifications";
import type { NotificationDeps } from "./notification-config";
import { relayEventNotifications } from "./relay-events";

const NOTIFICATIONS_STEP = "notifications";

export function notificationsCronStep(deps: NotificationDeps & { db: Database }): CronStep {
  return {
    name: NOTIFICATIONS_STEP,
    reserveMs: 3_000,
    run: async ({ budgetMs }) => {
      const relayed = await relayEventNotifications(deps.db, deps, deps.clock.now());
      const delivered = await deliverDueNotifications(deps, { budgetMs });
      return { relayed, ...delivered };
    },
  };
}
