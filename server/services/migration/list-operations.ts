/**
 * The operations log: newest first with progress (keyset-paginated on created_at, id), and one
 * operation with its per-user items (paginated by item id), named for display.
 */
import { alias } from "drizzle-orm/pg-core";
import { and, asc, desc, eq, gt, inArray, lt, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { nodes, operationItems, operations, vpnUsers, type Operation, type OperationItem } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";

export const listOperationsInputSchema = z.object({
  kinds: z.array(z.enum(["migration", "failover", "drain", "rebalance", "reconcile"])).optional(),
  isOpen: z.boolean().optional(),
  limit: z.number().int().min(1).max(100).default(25),
  // null is what an infinite query sends for its first page.
  cursor: z.object({ createdAt: z.date(), id: z.uuid() }).nullish(),
});

export type OperationView = Omit<Operation, "leaseOwner" | "leaseUntil" | "plan"> & {
  nodeName: string | null;
  /** Items finished (any outcome) out of total, 0..1. */
  progress: number;
  isLeased: boolean;
};

const sourceNode = alias(nodes, "source_node");
const targetNode = alias(nodes, "target_node");

function toView(row: Operation, nodeName: string | null): OperationView {
  const { leaseOwner, leaseUntil, plan: _plan, ...rest } = row;
  void _plan;
  const done = row.succeeded + row.failed;
  return {
    ...rest,
    nodeName,
    progress: row.total === 0 ? 1 : Math.min(1, done / row.total),
    isLeased: leaseOwner !== null && leaseUntil !== null && leaseUntil > new Date(),
  };
}

export async function listOperations(db: Database, input: z.input<typeof listOperationsInputSchema>) {
  const { kinds, isOpen, limit, cursor } = listOperationsInputSchema.parse(input);
  const filters: (SQL | undefined)[] = [
    kinds?.length ? inArray(operations.kind, kinds) : undefined,
    isOpen === undefined ? undefined : isOpen ? inArray(operations.status, ["pending", "running"]) : inArray(operations.status, ["succeeded", "partial", "failed", "cancelled"]),
    cursor ? or(lt(operations.createdAt, cursor.createdAt), and(eq(operations.createdAt, cursor.createdAt), lt(operations.id, cursor.id))) : undefined,
  ];
  const rows = await db
    .select({ operation: operations, nodeName: nodes.name })
    .from(operations)
    .leftJoin(nodes, eq(nodes.id, operations.nodeId))
    .where(and(...filters))
    .orderBy(desc(operations.createdAt), desc(operations.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1)?.operation;
  return {
    items: page.map((r) => toView(r.operation, r.nodeName)),
    nextCursor: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : null,
  };
}

export const operationDetailInputSchema = z.object({
  id: z.uuid(),
  status: z.enum(["pending", "running", "succeeded", "failed", "skipped"]).optional(),
  limit: z.number().int().min(1).max(500).default(100),
  afterItemId: z.number().int().optional(),
});

export type OperationItemView = Omit<OperationItem, "operationId"> & { telegramId: number | null; fromNodeName: string | null; toNodeName: string | null };

export async function getOperation(db: Database, input: z.input<typeof operationDetailInputSchema>) {
  const { id, status, limit, afterItemId } = operationDetailInputSchema.parse(input);
  const [row] = await db.select({ operation: operations, nodeName: nodes.name }).from(operations).leftJoin(nodes, eq(nodes.id, operations.nodeId)).where(eq(operations.id, id));
  if (!row) throw new AppError("NOT_FOUND", ref("error.operation.notFound"));
  const items = await db
    .select({ item: operationItems, telegramId: vpnUsers.telegramId, fromNodeName: sourceNode.name, toNodeName: targetNode.name })
    .from(operationItems)
    .leftJoin(vpnUsers, eq(vpnUsers.id, operationItems.userId))
    .leftJoin(sourceNode, eq(sourceNode.id, operationItems.fromNodeId))
    .leftJoin(targetNode, eq(targetNode.id, operationItems.toNodeId))
    .where(and(eq(operationItems.operationId, id), status ? eq(operationItems.status, status) : undefined, afterItemId ? gt(operationItems.id, afterItemId) : undefined))
    .orderBy(asc(operationItems.id))
    .limit(limit + 1);
  const page = items.slice(0, limit);
  return {
    operation: { ...toView(row.operation, row.nodeName), plan: row.operation.plan },
    items: page.map(({ item, ...names }): OperationItemView => {
      const { operationId: _op, ...rest } = item;
      void _op;
      return { ...rest, ...names };
    }),
    nextAfterItemId: items.length > limit ? (page.at(-1)?.item.id ?? null) : null,
  };
}
