import { desc, eq } from "drizzle-orm";
import { healthChecks } from "@/server/db/schema";
import type { MessageRef } from "@/server/message-ref";
import type { StatsDeps } from "./stats-deps";

export type RecentCheck = {
  id: number;
  checkedAt: Date;
  isOk: boolean;
  latencyMs: number | null;
  error: string | null;
  /** The failure for people; `error` is the technical detail (and all that rows from before it carry). */
  errorRef: MessageRef | null;
  cpuPercent: number | null;
  memUsedBytes: number | null;
  memTotalBytes: number | null;
  xrayState: string | null;
  onlineClients: number | null;
};

/** A node's latest health checks, newest first, through (node_id, checked_at). */
export async function listRecentChecks(deps: Pick<StatsDeps, "db">, input: { nodeId: string; limit?: number }): Promise<RecentCheck[]> {
  return deps.db
    .select({
      id: healthChecks.id,
      checkedAt: healthChecks.checkedAt,
      isOk: healthChecks.isOk,
      latencyMs: healthChecks.latencyMs,
      error: healthChecks.error,
      errorRef: healthChecks.errorRef,
      cpuPercent: healthChecks.cpuPercent,
      memUsedBytes: healthChecks.memUsedBytes,
      memTotalBytes: healthChecks.memTotalBytes,
      xrayState: healthChecks.xrayState,
      onlineClients: healthChecks.onlineClients,
    })
    .from(healthChecks)
    .where(eq(healthChecks.nodeId, input.nodeId))
    .orderBy(desc(healthChecks.checkedAt))
    .limit(input.limit ?? 20);
}
