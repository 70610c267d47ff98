/**
 * The dashboard's user list: server-side search (exact telegram id, or username prefix), filters
 * (node, access status, expiring soon) and pagination, with each user's plan and usage, live
 * assignment, node and the reason they were placed where they are. Never the key or the
 * subscription URL: viewers may see who is where, not use their access; an admin reveals one
 * user's key on purpose, and that is audited (reveal-user-key.ts).
 */
import { and, count, desc, eq, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/server/db/client";
import { escapeLike } from "@/server/db/escape-like";
import { assignments, nodes, vpnUsers, type PlacementReason } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { ref } from "@/server/messages";
import { readPage } from "@/server/services/paging";
import { IS_CURRENT_ASSIGNMENT } from "@/server/services/keys/find-user-key";
import { countAllTime } from "@/server/services/stats/daily-counts";
import { expiringHorizonDays, toPlanView, type Access, type PlanView } from "@/server/services/plans/user-plan";

const DAY_MS = 86_400_000;
export const ACCESS_STATES = ["active", "disabled", "expired", "over_quota"] as const satisfies readonly Access[];

export const listUsersInputSchema = z.object({
  query: z.string().max(64).optional(),
  nodeId: z.uuid().optional(),
  status: z.enum(ACCESS_STATES).optional(),
  /** Active users whose plan ends within the expiring-soon horizon. */
  expiringSoon: z.boolean().optional(),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export type ListUsersInput = z.input<typeof listUsersInputSchema>;

export type UserRow = PlanView & {
  id: string;
  telegramId: number;
  username: string | null;
  createdAt: Date;
  assignment: {
    id: string;
    state: string;
    /** Whether the panel confirmed a key for it; the key itself is revealed on request only. */
    hasKey: boolean;
    createdAt: Date;
    placementReason: PlacementReason | null;
    lastError: string | null;
  } | null;
  node: { id: string; name: string; location: string | null; healthState: string; adminState: string } | null;
};

export type ListUsersDeps = { db: Database; clock: { now: () => Date }; expiringDays: number };


/** accessOf (user-plan.ts) in SQL, so the list can filter on it. */
function accessIs(status: Access, now: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const expired = sql`(${vpnUsers.expiresAt} IS NOT NULL AND ${vpnUsers.expiresAt} <= ${at})`;
  const overQuota = sql`(${vpnUsers.trafficLimitBytes} IS NOT NULL AND ${vpnUsers.uploadBytes} + ${vpnUsers.downloadBytes} >= ${vpnUsers.trafficLimitBytes})`;
  const enabled = sql`${vpnUsers.status} = 'active'`;
  switch (status) {
    case "disabled":
      return sql`${vpnUsers.status} = 'disabled'`;
    case "expired":
      return sql`${enabled} AND (${vpnUsers.suspension} = 'expired' OR (${vpnUsers.suspension} IS NULL AND ${expired}))`;
    case "over_quota":
      return sql`${enabled} AND (${vpnUsers.suspension} = 'over_quota' OR (${vpnUsers.suspension} IS NULL AND NOT ${expired} AND ${overQuota}))`;
    case "active":
      return sql`${enabled} AND ${vpnUsers.suspension} IS NULL AND NOT ${expired} AND NOT ${overQuota}`;
  }
}

function filters(input: z.output<typeof listUsersInputSchema>, now: Date, expiringDays: number): SQL | undefined {
  const q = input.query?.trim();
  const byName = q ? sql`lower(${vpnUsers.username}) LIKE ${`${escapeLike(q.toLowerCase().replace(/^@/, ""))}%`}` : undefined;
  const horizon = new Date(now.getTime() + expiringHorizonDays(expiringDays) * DAY_MS);
  return and(
    q && byName ? (/^\d{1,16}$/.test(q) ? or(eq(vpnUsers.telegramId, Number(q)), byName) : byName) : undefined,
    input.nodeId ? eq(assignments.nodeId, input.nodeId) : undefined,
    input.status ? accessIs(input.status, now) : undefined,
    input.expiringSoon
      ? and(accessIs("active", now), sql`${vpnUsers.expiresAt} <= ${horizon.toISOString()}::timestamptz`)
      : undefined,
  );
}

const liveAssignment = and(eq(assignments.userId, vpnUsers.id), IS_CURRENT_ASSIGNMENT);

function selectUsers(db: Database) {
  return db
    .select({
      user: vpnUsers,
      assignment: {
        id: assignments.id,
        state: assignments.state,
        hasKey: sql<boolean>`${assignments.shareLink} IS NOT NULL`,
        createdAt: assignments.createdAt,
        placementReason: assignments.placementReason,
        lastError: assignments.lastError,
      },
      node: { id: nodes.id, name: nodes.name, location: nodes.location, healthState: nodes.healthState, adminState: nodes.adminState },
    })
    .from(vpnUsers)
    .leftJoin(assignments, liveAssignment)
    .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
    .$dynamic();
}

function toRow(now: Date, { user, assignment, node }: Awaited<ReturnType<typeof selectUsers>>[number]): UserRow {
  return {
    id: user.id,
    telegramId: user.telegramId,
    username: user.username,
    createdAt: user.createdAt,
    ...toPlanView(user, now),
    assignment,
    node,
  };
}

export async function listUsers(deps: ListUsersDeps, raw: ListUsersInput): Promise<{ rows: UserRow[]; total: number }> {
  const input = listUsersInputSchema.parse(raw);
  const now = deps.clock.now();
  const where = filters(input, now, deps.expiringDays);
  const { items, total } = await readPage(
    input,
    ({ limit, offset }) => selectUsers(deps.db).where(where).orderBy(desc(vpnUsers.createdAt), desc(vpnUsers.id)).limit(limit).offset(offset),
    // Unfiltered, the total is the trigger-kept count: counting a million rows per page view is not.
    where ? deps.db.select({ n: count() }).from(vpnUsers).leftJoin(assignments, liveAssignment).where(where) : countAllTime(deps.db, "users").then((n) => [{ n }]),
  );
  return { total, rows: items.map((item) => toRow(now, item)) };
}

/** One user, as the list shows them, for the user page. */
export async function getUser(deps: ListUsersDeps, input: { telegramId: number }): Promise<UserRow> {
  const [item] = await selectUsers(deps.db).where(eq(vpnUsers.telegramId, input.telegramId));
  if (!item) throw new AppError("NOT_FOUND", ref("error.user.notFound"));
  return toRow(deps.clock.now(), item);
}
