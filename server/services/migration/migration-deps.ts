/**
 * What the migration services need, injected so tests run them against PostgreSQL and simulated
 * panels: the key services' collaborators (database, panel factory, public URL, node lease) plus a
 * clock, where notifications go, and the failover settings (env defaults + owner overrides).
 */
import type { Clock } from "@/server/services/clock";
import type { KeyDeps } from "@/server/services/keys/key-deps";
import type { NotificationConfig } from "@/server/services/notifications/notification-config";
import type { FailoverSettings } from "@/server/services/settings/settings";

export type MigrationDeps = KeyDeps & {
  clock: Clock;
  notifications: NotificationConfig;
};

export type FleetOperationDeps = MigrationDeps & {
  failover: FailoverSettings;
  /** Users moved at once within a batch; one writer per panel still holds (invariant 7). */
  concurrency?: number;
};

/** Why a user moved; the bot's key.moved webhook carries it so it can word its message. */
export type MoveReason = "failover" | "drain" | "rebalance" | "manual";
