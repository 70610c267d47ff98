/**
 * What the plan services need: the key services' collaborators (database, panel factory, node
 * lease) to push plans onto clients, a clock, where the user.* webhooks go, and how many days
 * ahead user.expiring is announced.
 */
import type { Clock } from "@/server/services/clock";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import type { NotificationConfig } from "@/server/services/notifications/notification-config";

export type PlanDeps = KeyDeps & {
  clock: Clock;
  notifications: NotificationConfig;
  /** user.expiring goes out this many days before expiry (USER_EXPIRING_DAYS); 0 = never. */
  expiringDays: number;
};
