/** The users holding a key on one node, newest first, paged through (node_id, state). */
import { and, count, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { assignments, LIVE_ASSIGNMENT_STATES, vpnUsers } from "@/server/db/schema";
import { pageFields, readPage, type Page } from "../paging";
import type { StatsDeps } from "./stats-deps";

export const listNodeUsersInputSchema = z.object({
  nodeId: z.uuid(),
  ...pageFields(20),
});

export type NodeUserRow = { userId: string; telegramId: number; username: string | null; state: string; since: Date; strategy: string | null };

export async function listNodeUsers(
  deps: Pick<StatsDeps, "db">,
  input: z.input<typeof listNodeUsersInputSchema>,
): Promise<Page<NodeUserRow>> {
  const { nodeId, ...page } = listNodeUsersInputSchema.parse(input);
  const where = and(eq(assignments.nodeId, nodeId), inArray(assignments.state, [...LIVE_ASSIGNMENT_STATES]), eq(assignments.role, "primary"));
  const { items, ...rest } = await readPage(
    page,
    ({ limit, offset }) =>
      deps.db
        .select({
          userId: vpnUsers.id,
          telegramId: vpnUsers.telegramId,
          username: vpnUsers.username,
          state: assignments.state,
          since: assignments.createdAt,
          reason: assignments.placementReason,
        })
        .from(assignments)
        .innerJoin(vpnUsers, eq(vpnUsers.id, assignments.userId))
        .where(where)
        .orderBy(desc(assignments.createdAt), desc(assignments.id))
        .limit(limit)
        .offset(offset),
    deps.db.select({ n: count() }).from(assignments).where(where),
  );
  return { items: items.map(({ reason, ...row }) => ({ ...row, strategy: reason?.strategy ?? null })), ...rest };
}
