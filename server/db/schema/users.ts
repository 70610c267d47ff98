import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from "drizzle-orm/pg-core";
import { assignmentRole, assignmentState, clientOrigin, userSuspension, vpnUserStatus } from "./enums";
import { nodes } from "./nodes";

export const vpnUsers = pgTable(
  "vpn_users",
  {
    id: uuid().primaryKey().defaultRandom(),
    telegramId: bigint({ mode: "number" }).notNull().unique(),
    username: text(),
    /** Unguessable token of the stable subscription URL /sub/{token}; survives moves between nodes. */
    subscriptionToken: text().notNull().unique(),
    status: vpnUserStatus().notNull().default("active"),
    /**
     * Where the user asked to be served (the bot's `location`, kept from the last request that gave
     * one) and whether only that location will do (`strictLocation`): honoured by every placement
     * and move — failover, drain, rebalance, the admin's — not only by the first.
     */
    preferredLocation: text(),
    isStrictLocation: boolean().notNull().default(false),
    // The plan, enforced on every node the user's clients live on (panel expiryTime, totalGB, limitIp, enable).
    /** null = never. */
    expiresAt: timestamp({ withTimezone: true }),
    /** Fleet-wide quota for the current period (upload + download); null = unlimited. */
    trafficLimitBytes: bigint({ mode: "number" }),
    /** The panel's limitIp; null = unlimited. */
    deviceLimit: integer(),
    // The traffic ledger's totals for the current period, changed only together with the counter readings they add up.
    uploadBytes: bigint({ mode: "number" }).notNull().default(0),
    downloadBytes: bigint({ mode: "number" }).notNull().default(0),
    /** Start of the current period: the last traffic reset, or when the user was created. */
    periodStartedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** Set by the plan enforcer when it switched the user off; cleared when the plan allows access again. */
    suspension: userSuspension(),
    suspendedAt: timestamp({ withTimezone: true }),
    /** The `expires_at` a user.expiring webhook was sent for, so each expiry date is announced once. */
    expiringNotifiedFor: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // text_pattern_ops: the user search's prefix LIKE can use it under any collation (C.UTF-8 included).
    index("vpn_users_username_idx").on(sql`lower(${t.username}) text_pattern_ops`),
    // The user list pages newest first (read backwards).
    index("vpn_users_created_idx").on(t.createdAt, t.id),
    // The plan enforcer's sweeps and the "expiring soon" lists read only users not suspended yet.
    index("vpn_users_expires_idx").on(t.expiresAt).where(sql`${t.suspension} IS NULL AND ${t.expiresAt} IS NOT NULL`),
    index("vpn_users_over_quota_idx")
      .on(t.id)
      .where(sql`${t.suspension} IS NULL AND ${t.trafficLimitBytes} IS NOT NULL AND ${t.uploadBytes} + ${t.downloadBytes} >= ${t.trafficLimitBytes}`),
    index("vpn_users_suspension_idx").on(t.suspension).where(sql`${t.suspension} IS NOT NULL`),
    index("vpn_users_usage_idx").on(sql`(${t.uploadBytes} + ${t.downloadBytes}) DESC`),
    check("vpn_users_traffic_limit_positive", sql`${t.trafficLimitBytes} IS NULL OR ${t.trafficLimitBytes} > 0`),
    check("vpn_users_device_limit_positive", sql`${t.deviceLimit} IS NULL OR ${t.deviceLimit} > 0`),
    check("vpn_users_usage_nonneg", sql`${t.uploadBytes} >= 0 AND ${t.downloadBytes} >= 0`),
  ],
);

export type PlacementReason = {
  strategy: "balancer" | "manual" | "migration" | "rebalance" | "adoption";
  location?: string | null;
  candidates: { nodeId: string; name: string; score: number; load: number; healthState: string }[];
  chosenNodeId: string;
  note?: string;
};

export const assignments = pgTable(
  "assignments",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: uuid()
      .notNull()
      .references(() => vpnUsers.id, { onDelete: "cascade" }),
    nodeId: uuid().references(() => nodes.id, { onDelete: "set null" }),
    inboundId: integer().notNull(),
    /**
     * Issued: the Xray client id we generated before the panel call (uuid for vless/vmess, password for
     * trojan/shadowsocks; a Shadowsocks 2022 key derives from it). Adopted: the client's own secret, verbatim.
     */
    clientId: text().notNull(),
    /**
     * The client's email on the panel; with `node_id` it is how we recognise our clients (invariants 3
     * and 11). Issued emails are prefixed, carry the node's tag and are unique everywhere; an adopted
     * one is the operator's own and unique on its node.
     */
    clientEmail: text().notNull(),
    clientOrigin: clientOrigin().notNull().default("issued"),
    shareLink: text(),
    state: assignmentState().notNull().default("pending"),
    /**
     * primary: the user's key; standby (STANDBY_ENABLED): a second client on another node that the
     * subscription lists after it. Never both roles of one user on one node (keys/capacity.ts, `reservePlace`).
     */
    role: assignmentRole().notNull().default("primary"),
    placementReason: jsonb().$type<PlacementReason>(),
    /**
     * While `pending` or `revoking`: the request working on it owns it until then; after it, the next
     * request for the user or the reconciler settles it (a crashed request never strands a user).
     */
    settleBy: timestamp({ withTimezone: true }),
    /** A rotation (refresh, move): the active assignment this one replaces once it is active itself. */
    replacesId: uuid().references((): AnyPgColumn => assignments.id, { onDelete: "set null" }),
    /** The panel refused to delete this ended key's client (v2 keeps an inbound's last one): switched off there, deleted later. */
    panelDisabledAt: timestamp({ withTimezone: true }),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    activatedAt: timestamp({ withTimezone: true }),
    endedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Invariant 2: at most one active key per user and role, and at most one placement in flight per
    // user and role (a first key, or the replacement of the active one), whatever the concurrency.
    uniqueIndex("assignments_one_active_per_user").on(t.userId, t.role).where(sql`${t.state} = 'active'`),
    uniqueIndex("assignments_one_pending_per_user").on(t.userId, t.role).where(sql`${t.state} = 'pending'`),
    index("assignments_user_revoking_idx").on(t.userId).where(sql`${t.state} = 'revoking'`),
    // A user's current key (IS_CURRENT_ASSIGNMENT: the active primary, else the pending one) is an
    // OR over states that no partial index above answers: without this the users list joined it by
    // reading all assignments (3.5 s for a page at 1,000,000 users; bench:dashboard).
    index("assignments_user_idx").on(t.userId),
    uniqueIndex("assignments_client_email_uq").on(t.clientEmail).where(sql`${t.clientOrigin} = 'issued'`),
    // Panels treat emails case-insensitively: one held client per email on a node, and the lookup of a
    // panel's clients by email (reconciler, ledger, adoption) for a node.
    uniqueIndex("assignments_node_email_held_uq")
      .on(t.nodeId, sql`lower(${t.clientEmail})`)
      .where(sql`${t.state} IN ('pending', 'active', 'revoking')`),
    index("assignments_node_email_idx").on(t.nodeId, sql`lower(${t.clientEmail})`),
    index("assignments_node_state_idx").on(t.nodeId, t.state),
    // The standby pass's reads (promotion, retirement, evening out) touch standbys only: with
    // STANDBY_ENABLED off this index is empty and the cron step costs nothing.
    index("assignments_standby_node_idx").on(t.nodeId, t.state).where(sql`${t.role} = 'standby'`),
    index("assignments_created_idx").on(t.createdAt),
    // A node's users, newest first (the node page), without walking every node's newest assignments.
    index("assignments_node_created_idx").on(t.nodeId, t.createdAt),
    check("assignments_live_has_node", sql`${t.state} NOT IN ('pending', 'active', 'revoking') OR ${t.nodeId} IS NOT NULL`),
  ],
);

export type VpnUser = typeof vpnUsers.$inferSelect;
export type Assignment = typeof assignments.$inferSelect;
export type AssignmentState = Assignment["state"];
export type AssignmentRole = Assignment["role"];
