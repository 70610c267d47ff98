/**
 * The overview's traffic cards: who is online now (each node's own count from its last health
 * check, as the panel reports its onlines), the users who used most in their current period, and
 * the users whose plan ends soon. Each read walks an index: the newest check per node, the usage
 * index, the unsuspended-expiry index.
 */
import { and, asc, desc, eq, gt, isNull, lte, sql } from "drizzle-orm";
import { rowsOf } from "@/server/db/migrate";
import { vpnUsers } from "@/server/db/schema";
import { PLAN_ROW_COLUMNS } from "@/server/services/keys/client-plan";
import { expiringHorizonDays, toPlanView, type PlanView } from "@/server/services/plans/user-plan";
import type { OverviewDeps } from "./get-fleet-overview";

const DAY_MS = 86_400_000;
const LIST_LIMIT = 8;
// A node's last count is "now" for this many health intervals; older counts are not added up.
const FRESH_INTERVALS = 3;

export type TrafficUser = PlanView & { telegramId: number; username: string | null };

export type TrafficOverview = {
  online: { users: number; nodesReporting: number; byNode: { nodeId: string; name: string; online: number }[] };
  topUsers: TrafficUser[];
  expiring: { days: number; total: number; users: TrafficUser[] };
};

const USER_COLUMNS = { telegramId: vpnUsers.telegramId, username: vpnUsers.username, ...PLAN_ROW_COLUMNS };

export async function getTrafficOverview(deps: OverviewDeps & { expiringDays: number }): Promise<TrafficOverview> {
  const now = deps.clock.now();
  const freshSince = new Date(now.getTime() - FRESH_INTERVALS * deps.healthIntervalSeconds * 1000);
  const days = expiringHorizonDays(deps.expiringDays);
  const horizon = new Date(now.getTime() + days * DAY_MS);
  const expiringWhere = and(isNull(vpnUsers.suspension), eq(vpnUsers.status, "active"), gt(vpnUsers.expiresAt, now), lte(vpnUsers.expiresAt, horizon));
  const [online, top, expiring] = await Promise.all([
    deps.db.execute(sql`
      SELECT n.id AS node_id, n.name, c.online_clients AS online
      FROM nodes n
      CROSS JOIN LATERAL (
        SELECT h.online_clients FROM health_checks h
        WHERE h.node_id = n.id AND h.checked_at >= ${freshSince.toISOString()}::timestamptz
        ORDER BY h.checked_at DESC LIMIT 1
      ) c
      WHERE n.admin_state <> 'disabled' AND c.online_clients IS NOT NULL
      ORDER BY c.online_clients DESC, n.name`),
    deps.db
      .select(USER_COLUMNS)
      .from(vpnUsers)
      .where(sql`${vpnUsers.uploadBytes} + ${vpnUsers.downloadBytes} > 0`)
      .orderBy(sql`(${vpnUsers.uploadBytes} + ${vpnUsers.downloadBytes}) DESC`)
      .limit(LIST_LIMIT),
    // The first few with how many there are in all: the window counts every expiring user before the limit.
    deps.db
      .select({ ...USER_COLUMNS, total: sql<number>`count(*) over ()`.mapWith(Number) })
      .from(vpnUsers)
      .where(expiringWhere)
      .orderBy(asc(vpnUsers.expiresAt), desc(vpnUsers.telegramId))
      .limit(LIST_LIMIT),
  ]);
  const perNode = rowsOf<{ node_id: string; name: string; online: number }>(online).map((r) => ({ nodeId: r.node_id, name: r.name, online: Number(r.online) }));
  const view = ({ telegramId, username, ...plan }: (typeof top)[number]): TrafficUser => ({ telegramId, username, ...toPlanView(plan, now) });
  const { total: expiringTotal = 0 } = expiring[0] ?? {};
  return {
    online: { users: perNode.reduce((sum, n) => sum + n.online, 0), nodesReporting: perNode.length, byNode: perNode.slice(0, LIST_LIMIT) },
    topUsers: top.map(view),
    expiring: { days, total: expiringTotal, users: expiring.map(({ total: _total, ...user }) => view(user)) },
  };
}
