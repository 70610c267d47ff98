import { sql } from "drizzle-orm";
import { bigserial, check, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { admins } from "./admins";
import { operationItemStatus, operationKind, operationStatus } from "./enums";
import type { MessageRef } from "@/server/message-ref";
import { nodes } from "./nodes";
import { vpnUsers } from "./users";

export const operations = pgTable(
  "operations",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: operationKind().notNull(),
    status: operationStatus().notNull().default("pending"),
    nodeId: uuid().references(() => nodes.id, { onDelete: "set null" }),
    targetNodeId: uuid().references(() => nodes.id, { onDelete: "set null" }),
    /** "system" for automatic work, otherwise the admin's username at the time. */
    startedBy: text().notNull(),
    actorAdminId: uuid().references(() => admins.id, { onDelete: "set null" }),
    reason: text(),
    /** The "Why" column in the reader's language; `reason` is kept for rows written before it. */
    reasonRef: jsonb().$type<MessageRef>(),
    plan: jsonb().$type<unknown>(),
    total: integer().notNull().default(0),
    succeeded: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    error: text(),
    errorRef: jsonb().$type<MessageRef>(),
    leaseUntil: timestamp({ withTimezone: true }),
    leaseOwner: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index("operations_created_idx").on(t.createdAt), index("operations_status_idx").on(t.status)],
);

export const operationItems = pgTable(
  "operation_items",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    operationId: uuid()
      .notNull()
      .references(() => operations.id, { onDelete: "cascade" }),
    userId: uuid().references(() => vpnUsers.id, { onDelete: "set null" }),
    fromNodeId: uuid().references(() => nodes.id, { onDelete: "set null" }),
    toNodeId: uuid().references(() => nodes.id, { onDelete: "set null" }),
    status: operationItemStatus().notNull().default("pending"),
    detail: text(),
    detailRef: jsonb().$type<MessageRef>(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("operation_items_op_status_idx").on(t.operationId, t.status)],
);

/**
 * The failover rate (FAILOVER_MAX_MOVES_PER_MINUTE) as one token bucket shared by every replica:
 * a single row, taken with a row lock (migration/move-rate.ts).
 */
export const moveRateBucket = pgTable(
  "move_rate_bucket",
  {
    id: integer().primaryKey(),
    tokens: doublePrecision().notNull(),
    refilledAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [check("move_rate_bucket_single_row", sql`${t.id} = 1`)],
);

export type Operation = typeof operations.$inferSelect;
export type OperationItem = typeof operationItems.$inferSelect;
