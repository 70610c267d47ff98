import { pgEnum } from "drizzle-orm/pg-core";

export const adminRole = pgEnum("admin_role", ["owner", "admin", "viewer"]);
export const nodeAdminState = pgEnum("node_admin_state", ["active", "draining", "disabled"]);
// auth_error: our credentials are wrong but the node may be serving users fine — alert, never migrate.
// misconfigured: the panel answers but its inbound is missing, switched off or of a protocol we cannot
// issue keys on — an operator's mistake, not a network failure: no new users, alert, never migrate.
export const nodeHealthState = pgEnum("node_health_state", ["unknown", "healthy", "degraded", "unhealthy", "auth_error", "misconfigured"]);
export const tlsMode = pgEnum("tls_mode", ["verify", "skip", "pin"]);
/** The admin's (or the bot's) switch; a plan that ran out is `suspension`, not this. */
export const vpnUserStatus = pgEnum("vpn_user_status", ["active", "disabled"]);
/** Why the plan enforcer switched a user off everywhere: past `expires_at`, or fleet-wide usage at the limit. */
export const userSuspension = pgEnum("user_suspension", ["expired", "over_quota"]);
/**
 * Where an assignment's client came from: `issued` — made by this system, its email carries the
 * node's tag (keys/client-identity.ts); `adopted` — an operator's existing client taken over as it
 * is (services/adoption). Either way the assignment row is the stored identity: a client on a node
 * is ours only if a row of that node names it (invariant 11).
 */
export const clientOrigin = pgEnum("client_origin", ["issued", "adopted"]);
export const assignmentState = pgEnum("assignment_state", ["pending", "active", "revoking", "revoked", "failed"]);
/** primary: the key the user is given; standby: a second client on another node their app falls back to (STANDBY_ENABLED). */
export const assignmentRole = pgEnum("assignment_role", ["primary", "standby"]);
export const operationKind = pgEnum("operation_kind", ["migration", "failover", "drain", "rebalance", "reconcile"]);
export const operationStatus = pgEnum("operation_status", ["pending", "running", "succeeded", "partial", "failed", "cancelled"]);
export const operationItemStatus = pgEnum("operation_item_status", ["pending", "running", "succeeded", "failed", "skipped"]);
export const eventSeverity = pgEnum("event_severity", ["info", "warning", "critical"]);
export const deliveryStatus = pgEnum("delivery_status", ["pending", "delivered", "failed"]);
/** webhook: signed POST to WEBHOOK_URL (the bot); telegram: an admin alert through the Bot API. */
export const notificationChannel = pgEnum("notification_channel", ["webhook", "telegram"]);

/** Assignment states that hold a panel client and a unit of node capacity. */
export const LIVE_ASSIGNMENT_STATES = ["pending", "active"] as const;
