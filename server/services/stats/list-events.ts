/**
 * "What the system did and why": node transitions, held failovers, capacity warnings and reconciler
 * findings, newest first, paginated on the server and filterable by severity and node.
 */
import { and, count, desc, eq, type SQL } from "drizzle-orm";
import { z } from "zod";
import { events, nodes } from "@/server/db/schema";
import type { StatsDeps } from "./stats-deps";

export const listEventsInputSchema = z.object({
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(100).default(20),
  severity: z.enum(["info", "warning", "critical"]).optional(),
  nodeId: z.uuid().optional(),
});

export type EventRow = {
  id: number;
  kind: string;
  severity: "info" | "warning" | "critical";
  nodeId: string | null;
  nodeName: string | null;
  message: string;
  createdAt: Date;
};

export async function listEvents(
  deps: Pick<StatsDeps, "db">,
  input: z.input<typeof listEventsInputSchema>,
): Promise<{ items: EventRow[]; total: number; page: number; pageSize: number }> {
  const { page, pageSize, severity, nodeId } = listEventsInputSchema.parse(input);
  const filters: SQL[] = [];
  if (severity) filters.push(eq(events.severity, severity));
  if (nodeId) filters.push(eq(events.nodeId, nodeId));
  const where = filters.length ? and(...filters) : undefined;
  const [items, totals] = await Promise.all([
    deps.db
      .select({
        id: events.id,
        kind: events.kind,
        severity: events.severity,
        nodeId: events.nodeId,
        nodeName: nodes.name,
        message: events.message,
        createdAt: events.createdAt,
      })
      .from(events)
      .leftJoin(nodes, eq(nodes.id, events.nodeId))
      .where(where)
      .orderBy(desc(events.createdAt), desc(events.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    deps.db.select({ n: count() }).from(events).where(where),
  ]);
  return { items, total: totals[0]?.n ?? 0, page, pageSize };
}
