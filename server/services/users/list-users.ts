/**
 * The dashboard's user list: server-side search (exact telegram id, or username prefix) and
 * pagination, with each user's live assignment, node, key, subscription URL and the reason they
 * were placed where they are.
 */
import { and, count, desc, eq, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { escapeLike } from "@/server/db/escape-like";
import { assignments, nodes, vpnUsers, type PlacementReason } from "@/server/db/schema";
import { readPage } from "@/server/services/paging";
import { IS_CURRENT_ASSIGNMENT, subscriptionUrlFor } from "@/server/services/keys/find-user-key";
import { countAllTime } from "@/server/services/stats/daily-counts";

export type ListUsersInput = { query?: string; page: number; pageSize: number };

export type UserRow = {
  id: string;
  telegramId: number;
  username: string | null;
  status: "active" | "disabled";
  createdAt: Date;
  subscriptionUrl: string;
  assignment: {
    id: string;
    state: string;
    key: string | null;
    createdAt: Date;
    placementReason: PlacementReason | null;
    lastError: string | null;
  } | null;
  node: { id: string; name: string; location: string | null; healthState: string; adminState: string } | null;
};

function matches(query: string | undefined): SQL | undefined {
  const q = query?.trim();
  if (!q) return undefined;
  const byName = sql`lower(${vpnUsers.username}) LIKE ${`${escapeLike(q.toLowerCase().replace(/^@/, ""))}%`}`;
  return /^\d{1,16}$/.test(q) ? or(eq(vpnUsers.telegramId, Number(q)), byName) : byName;
}

export async function listUsers(deps: { db: Database; publicUrl: string }, input: ListUsersInput): Promise<{ rows: UserRow[]; total: number }> {
  const where = matches(input.query);
  const { items, total } = await readPage(
    input,
    ({ limit, offset }) =>
      deps.db
        .select({
          user: vpnUsers,
          assignment: {
            id: assignments.id,
            state: assignments.state,
            key: assignments.shareLink,
            createdAt: assignments.createdAt,
            placementReason: assignments.placementReason,
            lastError: assignments.lastError,
          },
          node: { id: nodes.id, name: nodes.name, location: nodes.location, healthState: nodes.healthState, adminState: nodes.adminState },
        })
        .from(vpnUsers)
        .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), IS_CURRENT_ASSIGNMENT))
        .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
        .where(where)
        .orderBy(desc(vpnUsers.createdAt), desc(vpnUsers.id))
        .limit(limit)
        .offset(offset),
    // Unfiltered, the total is the trigger-kept count: counting a million rows per page view is not.
    where ? deps.db.select({ n: count() }).from(vpnUsers).where(where) : countAllTime(deps.db, "users").then((n) => [{ n }]),
  );
  return {
    total,
    rows: items.map(({ user, assignment, node }) => ({
      id: user.id,
      telegramId: user.telegramId,
      username: user.username,
      status: user.status,
      createdAt: user.createdAt,
      subscriptionUrl: subscriptionUrlFor(deps.publicUrl, user.subscriptionToken),
      assignment,
      node,
    })),
  };
}
