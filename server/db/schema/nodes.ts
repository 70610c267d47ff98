import { sql } from "drizzle-orm";
import { bigint, check, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, boolean } from "drizzle-orm/pg-core";
import type { MessageRef } from "@/server/message-ref";
import { nodeAdminState, nodeHealthState, tlsMode } from "./enums";

export const nodes = pgTable(
  "nodes",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    location: text(),
    /** Panel URL including its webBasePath, e.g. https://panel.example.com:2053/secret/ */
    panelUrl: text().notNull(),
    /**
     * The panel URL normalised by the database (fleet_panel_address(), drizzle/0003_guardrails.sql:
     * lower-case scheme and host, explicit port, base path with single slashes ending in "/"). With
     * `inbound_id` it is unique, so one panel inbound is one node (invariant 11), whoever writes the row.
     */
    panelAddress: text().generatedAlwaysAs(sql`fleet_panel_address(panel_url)`),
    /**
     * Set by the migration on the younger copies of a panel inbound added twice before the rule: they
     * are exempt from the unique index and `misconfigured` (naming the original) until changed.
     */
    isPanelDuplicate: boolean().notNull().default(false),
    panelUsername: text(),
    /** Encrypted JSON {password?, apiToken?} (server/crypto/secret-box.ts), AAD bound to the node id. */
    panelSecretEnc: text(),
    inboundId: integer().notNull(),
    publicHost: text(),
    publicPort: integer(),
    tlsMode: tlsMode().notNull().default("verify"),
    tlsPinSha256: text(),
    maxUsers: integer().notNull().default(100),
    /** Live assignments plus in-flight migration targets; changed only by conditional updates (invariant 1). */
    reservedCount: integer().notNull().default(0),
    /** Standby clients this node may hold (STANDBY_ENABLED), counted apart from `max_users`. */
    standbyMaxUsers: integer().notNull().default(100),
    /** Live standby assignments; changed only by conditional updates, like `reserved_count`. */
    standbyReservedCount: integer().notNull().default(0),
    priority: integer().notNull().default(100),
    weight: doublePrecision().notNull().default(1),
    adminState: nodeAdminState().notNull().default("active"),
    healthState: nodeHealthState().notNull().default("unknown"),
    healthChangedAt: timestamp({ withTimezone: true }),
    consecutiveSuccesses: integer().notNull().default(0),
    consecutiveFailures: integer().notNull().default(0),
    /** Start of the current failure streak: the fall threshold also needs a minimum time span. */
    failingSince: timestamp({ withTimezone: true }),
    lastCheckAt: timestamp({ withTimezone: true }),
    lastLatencyMs: integer(),
    /** Technical detail of the last failed check (logs, support); `last_error_ref` is what people read. */
    lastError: text(),
    lastErrorRef: jsonb().$type<MessageRef>(),
    /** The protocol of the node's inbound (vless, vmess, trojan, shadowsocks) as its last check read it: a move keeps a key's scheme. */
    inboundProtocol: text(),
    panelVersion: text(),
    apiGeneration: text(),
    xrayVersion: text(),
    xrayState: text(),
    /**
     * An owner released the blast-radius hold for this node (its failures are real, not our network):
     * the sweep may mark it unhealthy and failover may move its users while the rest of the fleet is
     * held. Cleared when the node is healthy again.
     */
    failoverHoldReleasedAt: timestamp({ withTimezone: true }),
    /** A node back from the dead takes no new users until the reconciler has cleaned it. */
    needsReconcile: boolean().notNull().default(false),
    lastReconciledAt: timestamp({ withTimezone: true }),
    // Leases (invariants 6 and 7): claimed by a conditional UPDATE, expire on their own if a replica dies.
    checkLeaseUntil: timestamp({ withTimezone: true }),
    checkLeaseOwner: text(),
    mutationLeaseUntil: timestamp({ withTimezone: true }),
    mutationLeaseOwner: text(),
    /** Bumped by every acquisition of the mutation lease: writes made under a lease carry it (fencing). */
    mutationFence: bigint({ mode: "number" }).notNull().default(0),
    /**
     * Outlier ejection (Envoy's model): a panel write that timed out or failed keeps new placements off
     * the node until then; the cool-off doubles with each ejection in a row and a successful write resets it.
     */
    ejectedUntil: timestamp({ withTimezone: true }),
    ejections: integer().notNull().default(0),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("nodes_name_lower_uq").on(sql`lower(${t.name})`),
    uniqueIndex("nodes_panel_inbound_uq").on(t.panelAddress, t.inboundId).where(sql`NOT ${t.isPanelDuplicate}`),
    index("nodes_last_check_idx").on(t.lastCheckAt),
    check("nodes_reserved_within_capacity", sql`${t.reservedCount} >= 0 AND ${t.reservedCount} <= ${t.maxUsers}`),
    check("nodes_max_users_nonneg", sql`${t.maxUsers} >= 0`),
    check("nodes_standby_within_capacity", sql`${t.standbyReservedCount} >= 0 AND ${t.standbyReservedCount} <= ${t.standbyMaxUsers}`),
    check("nodes_priority_positive", sql`${t.priority} > 0`),
    check("nodes_weight_positive", sql`${t.weight} > 0`),
    check("nodes_inbound_positive", sql`${t.inboundId} > 0`),
    check("nodes_public_port_range", sql`${t.publicPort} IS NULL OR (${t.publicPort} BETWEEN 1 AND 65535)`),
  ],
);

export type Node = typeof nodes.$inferSelect;
export type NewNode = typeof nodes.$inferInsert;
export type NodeHealthState = Node["healthState"];
export type NodeAdminState = Node["adminState"];
