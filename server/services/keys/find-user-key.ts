/**
 * The returning-user read: one query over unique/primary-key lookups (vpn_users by telegram id, its
 * live assignment through the partial unique indexes — the active one first, else the one being
 * placed — the node by id), plus two probes of partial indexes that say whether the user has work
 * in flight: a placement under way (and until when its request owns it), or stale work a crashed
 * request left behind, which the next request settles. The state predicates are written as literals
 * so the planner matches the partial indexes even with a generic prepared plan.
 */
import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "@/server/db/client";
import { assignments, nodes, vpnUsers, type Assignment, type VpnUser } from "@/server/db/schema";
import { AppError } from "@/server/errors";
import { PLAN_ROW_COLUMNS, type PlanRow } from "./client-plan";
import { ref } from "@/server/messages";

const IS_LIVE_PRIMARY = sql`${assignments.state} IN ('pending', 'active') AND ${assignments.role} = 'primary'`;
const standbys = alias(assignments, "standby");
const standbyNodes = alias(nodes, "standby_node");

/**
 * Join condition for the one assignment that stands for a user in lists and subscriptions: the
 * active key, or — only when there is none — the placement in flight (a refresh or a move keeps
 * the old key active until the new one is, so both can exist for a moment).
 */
export const IS_CURRENT_ASSIGNMENT = sql`${assignments.role} = 'primary' AND (${assignments.state} = 'active' OR (${assignments.state} = 'pending'
  AND NOT EXISTS (SELECT 1 FROM ${assignments} a2 WHERE a2.user_id = ${assignments.userId} AND a2.state = 'active' AND a2.role = 'primary')))`;

export type UserKeyRow = {
  user: Pick<VpnUser, "id" | "telegramId" | "username" | "subscriptionToken"> & PlanRow;
  /** The active assignment, else the one being placed. */
  assignment: Pick<Assignment, "id" | "state" | "shareLink" | "createdAt" | "activatedAt" | "nodeId"> | null;
  node: { id: string; name: string; location: string | null; healthState: string; adminState: string } | null;
  /** The user's active standby (STANDBY_ENABLED) and its node's states. */
  standby: { state: Assignment["state"]; shareLink: string | null; healthState: string; adminState: string } | null;
  /** Until when the request placing a key for this user owns that work; null when none is under way. */
  pendingSettleBy: Date | null;
  /** A placement or a retirement whose request did not finish in time: the next request settles it. */
  hasStaleWork: boolean;
};

function buildFindUserKey(db: Database) {
  return db
    .select({
      user: {
        id: vpnUsers.id,
        telegramId: vpnUsers.telegramId,
        username: vpnUsers.username,
        subscriptionToken: vpnUsers.subscriptionToken,
        ...PLAN_ROW_COLUMNS,
      },
      assignment: {
        id: assignments.id,
        state: assignments.state,
        shareLink: assignments.shareLink,
        createdAt: assignments.createdAt,
        activatedAt: assignments.activatedAt,
        nodeId: assignments.nodeId,
      },
      node: { id: nodes.id, name: nodes.name, location: nodes.location, healthState: nodes.healthState, adminState: nodes.adminState },
      standby: { state: standbys.state, shareLink: standbys.shareLink, healthState: standbyNodes.healthState, adminState: standbyNodes.adminState },
      pendingSettleBy: sql<Date | null>`(SELECT p.settle_by FROM ${assignments} p WHERE p.user_id = ${vpnUsers.id} AND p.state = 'pending' AND p.role = 'primary')`.mapWith(
        (v: string | Date | null) => (v === null ? null : new Date(v)),
      ),
      hasStaleWork: sql<boolean>`(EXISTS (SELECT 1 FROM ${assignments} p WHERE p.user_id = ${vpnUsers.id} AND p.state = 'pending' AND (p.settle_by IS NULL OR p.settle_by < now()))
        OR EXISTS (SELECT 1 FROM ${assignments} r WHERE r.user_id = ${vpnUsers.id} AND r.state = 'revoking' AND (r.settle_by IS NULL OR r.settle_by < now())))`,
    })
    .from(vpnUsers)
    .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), IS_LIVE_PRIMARY))
    .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
    .leftJoin(standbys, and(eq(standbys.userId, vpnUsers.id), sql`${standbys.state} = 'active' AND ${standbys.role} = 'standby'`))
    .leftJoin(standbyNodes, eq(standbyNodes.id, standbys.nodeId))
    .where(eq(vpnUsers.telegramId, sql.placeholder("telegramId")))
    // 'active' follows 'pending' in the enum: the active key first while its replacement is being placed.
    .orderBy(sql`${assignments.state} DESC NULLS LAST`)
    .limit(1)
    // A named statement is parsed and planned once per connection: planning this join costs more
    // than running it, and this is the hottest query of the app.
    .prepare("find_user_key");
}

const prepared = new WeakMap<Database, ReturnType<typeof buildFindUserKey>>();

export async function findUserKey(db: Database, telegramId: number): Promise<UserKeyRow | null> {
  let query = prepared.get(db);
  if (!query) {
    query = buildFindUserKey(db);
    prepared.set(db, query);
  }
  const [row] = await query.execute({ telegramId });
  if (!row) return null;
  return { ...row, standby: row.standby?.state && row.standby.healthState ? (row.standby as UserKeyRow["standby"]) : null };
}

/** What the bot receives for a key. */
export type KeyView = {
  telegramId: number;
  username: string | null;
  key: string;
  subscriptionUrl: string;
  node: { id: string; name: string; location: string | null };
  createdAt: Date;
  /** The user's plan and usage, read in the same query. */
  plan: PlanRow;
  /** The standby's link, when the user has one their app can fall back to now. */
  standbyKey?: string;
};

export function subscriptionUrlFor(publicUrl: string, token: string): string {
  return `${publicUrl}/sub/${token}`;
}

/** An active key on a node that still serves: returned as stored, with no panel call. */
export function isServable(row: UserKeyRow | null): boolean {
  return row?.assignment?.state === "active" && row.node !== null && row.node.healthState !== "unhealthy" && row.assignment.shareLink !== null;
}

/** The link of a key an app may use now (active, on a node neither down nor taken out of service), else null. */
export function servableShareLink(assignment: { state: string; shareLink: string | null } | null, node: { healthState: string; adminState: string } | null): string | null {
  if (assignment?.state !== "active" || !assignment.shareLink || !node) return null;
  return node.healthState === "unhealthy" || node.adminState !== "active" ? null : assignment.shareLink;
}

export function toKeyView(
  publicUrl: string,
  row: Pick<UserKeyRow, "user" | "assignment" | "node"> & Partial<Pick<UserKeyRow, "standby">>,
): KeyView {
  const { assignment, node, user } = row;
  const { id: _id, telegramId: _t, username: _u, subscriptionToken: _s, ...plan } = user;
  const standbyKey = servableShareLink(row.standby ?? null, row.standby ?? null);
  if (!assignment?.shareLink || !node) throw new AppError("INTERNAL", ref("error.internal"), { cause: new Error(`user ${user.id} has no servable key`) });
  return {
    telegramId: user.telegramId,
    username: user.username,
    key: assignment.shareLink,
    subscriptionUrl: subscriptionUrlFor(publicUrl, user.subscriptionToken),
    node: { id: node.id, name: node.name, location: node.location },
    createdAt: assignment.activatedAt ?? assignment.createdAt,
    plan,
    ...(standbyKey ? { standbyKey } : {}),
  };
}
