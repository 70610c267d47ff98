/**
 * "What the system did and why": node transitions, held failovers, capacity warnings and reconciler
 * findings, newest first, paginated on the server and filterable by severity and node.
 */
import { and, count, desc, eq } from "drizzle-orm";
import { z } from "zod";
import { events, nodes } from "@/server/db/schema";
import type { MessageRef } from "@/server/message-ref";
import { pageFields, readPage, type Page } from "../paging";
import type { StatsDeps } from "./stats-deps";

export const listEventsInputSchema = z.object({
  ...pageFields(20),
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
  /** The message for people; `message` is the English of rows written before it. */
  messageRef: MessageRef | null;
  createdAt: Date;
};

export async function listEvents(
  deps: Pick<StatsDeps, "db">,
  input: z.input<typeof listEventsInputSchema>,
): Promise<Page<EventRow>> {
  const { severity, nodeId, ...page } = listEventsInputSchema.parse(input);
  const where = and(severity ? eq(events.severity, severity) : undefined, nodeId ? eq(events.nodeId, nodeId) : undefined);
  return readPage(
    page,
    ({ limit, offset }) =>
      deps.db
        .select({
          id: events.id,
          kind: events.kind,
          severity: events.severity,
          nodeId: events.nodeId,
          nodeName: nodes.name,
          message: events.message,
          messageRef: events.messageRef,
          createdAt: events.createdAt,
        })
        .from(events)
        .leftJoin(nodes, eq(nodes.id, events.nodeId))
        .where(where)
        .orderBy(desc(events.createdAt), desc(events.id))
        .limit(limit)
        .offset(offset),
    deps.db.select({ n: count() }).from(events).where(where),
  );
}
