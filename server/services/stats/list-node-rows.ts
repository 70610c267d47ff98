/**
 * The Nodes table: one page of nodes with what the table shows (health, load, latency, versions,
 * location, admin state), filtered and paged in SQL. It reads columns only, never the sealed
 * credentials, so no row ever carries a secret (invariant 4).
 */
import { and, asc, count, eq, ilike, or, sql } from "drizzle-orm";
import { z } from "zod";
import { nodeAdminState, nodeHealthState, nodes, type NodeAdminState, type NodeHealthState } from "@/server/db/schema";
import { escapeLike } from "@/server/db/escape-like";
import type { MessageRef } from "@/server/message-ref";
import { readPage, type Page } from "../paging";
import type { StatsDeps } from "./stats-deps";

export const listNodeRowsInputSchema = z.object({
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
  /** Part of the name or location. */
  query: z.string().trim().max(100).optional(),
  health: z.enum(nodeHealthState.enumValues).optional(),
  adminState: z.enum(nodeAdminState.enumValues).optional(),
});

export type NodeRow = {
  id: string;
  name: string;
  location: string | null;
  panelUrl: string;
  healthState: NodeHealthState;
  adminState: NodeAdminState;
  users: number;
  maxUsers: number;
  priority: number;
  weight: number;
  lastLatencyMs: number | null;
  lastCheckAt: Date | null;
  lastError: string | null;
  lastErrorRef: MessageRef | null;
  panelVersion: string | null;
  apiGeneration: string | null;
  xrayVersion: string | null;
  xrayState: string | null;
  needsReconcile: boolean;
};

export async function listNodeRows(
  deps: Pick<StatsDeps, "db">,
  input: z.input<typeof listNodeRowsInputSchema>,
): Promise<Page<NodeRow>> {
  const { query, health, adminState, ...page } = listNodeRowsInputSchema.parse(input);
  const pattern = query ? `%${escapeLike(query)}%` : undefined;
  const where = and(
    pattern ? or(ilike(nodes.name, pattern), ilike(nodes.location, pattern)) : undefined,
    health ? eq(nodes.healthState, health) : undefined,
    adminState ? eq(nodes.adminState, adminState) : undefined,
  );
  return readPage(
    page,
    ({ limit, offset }) =>
      deps.db
        .select({
          id: nodes.id,
          name: nodes.name,
          location: nodes.location,
          panelUrl: nodes.panelUrl,
          healthState: nodes.healthState,
          adminState: nodes.adminState,
          users: nodes.reservedCount,
          maxUsers: nodes.maxUsers,
          priority: nodes.priority,
          weight: nodes.weight,
          lastLatencyMs: nodes.lastLatencyMs,
          lastCheckAt: nodes.lastCheckAt,
          lastError: nodes.lastError,
          lastErrorRef: nodes.lastErrorRef,
          panelVersion: nodes.panelVersion,
          apiGeneration: nodes.apiGeneration,
          xrayVersion: nodes.xrayVersion,
          xrayState: nodes.xrayState,
          needsReconcile: nodes.needsReconcile,
        })
        .from(nodes)
        .where(where)
        .orderBy(sql`lower(${nodes.name})`, asc(nodes.id))
        .limit(limit)
        .offset(offset),
    deps.db.select({ n: count() }).from(nodes).where(where),
  );
}
