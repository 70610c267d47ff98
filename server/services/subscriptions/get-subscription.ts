/**
 * GET /sub/{token}: what a VPN client app receives for a user. The token is per user and survives
 * moves, so the app keeps one URL while the key behind it changes.
 *
 * Never a link to a node that is unhealthy, draining or disabled: for those (and while a key is
 * being created or moved) the answer is "unavailable" — the route answers 503 with Retry-After,
 * which v2rayN, Hiddify, Streisand, Happ and v2rayNG treat as a failed update and keep their
 * last profile (an empty 200 would make several of them wipe it). A user with no key at all, or
 * switched off by an admin or the bot, gets an empty 200, which does clear the app's list.
 *
 * `Subscription-Userinfo` comes from the traffic ledger and the user's plan in the same one-row
 * read: usage of the current period on every node the user was ever on (it does not restart after
 * a move), the fleet-wide quota and the expiry. No panel is called. A user whose plan ran out
 * keeps the link, so the app shows the spent quota or the past expiry instead of an empty list,
 * and works again as soon as the plan is extended.
 *
 * A user with a standby (STANDBY_ENABLED) gets the primary's link first and the standby's after
 * it, so the structured profiles group them (fallback / url-test / balancer); a link whose node is
 * not serving is left out, and the answer is "unavailable" only when neither serves.
 */
import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "@/server/db/client";
import { assignments, nodes, vpnUsers } from "@/server/db/schema";
import { IS_CURRENT_ASSIGNMENT, servableShareLink } from "@/server/services/keys/find-user-key";

export type Userinfo = { upload: number; download: number; total: number; expire: number };

export type Subscription =
  | { kind: "not-found" }
  | { kind: "empty"; username: string | null; userinfo: Userinfo }
  | { kind: "unavailable"; username: string | null }
  | { kind: "links"; username: string | null; links: string[]; userinfo: Userinfo };

export type SubscriptionDeps = { db: Database };

const standbys = alias(assignments, "standby");
const standbyNodes = alias(nodes, "standby_node");

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export async function getSubscription(deps: SubscriptionDeps, token: string): Promise<Subscription> {
  if (!TOKEN.test(token)) return { kind: "not-found" };
  const [row] = await deps.db
    .select({
      user: {
        username: vpnUsers.username,
        status: vpnUsers.status,
        upload: vpnUsers.uploadBytes,
        download: vpnUsers.downloadBytes,
        total: vpnUsers.trafficLimitBytes,
        expiresAt: vpnUsers.expiresAt,
      },
      assignment: { state: assignments.state, shareLink: assignments.shareLink },
      node: { healthState: nodes.healthState, adminState: nodes.adminState },
      standby: { state: standbys.state, shareLink: standbys.shareLink },
      standbyNode: { healthState: standbyNodes.healthState, adminState: standbyNodes.adminState },
    })
    .from(vpnUsers)
    .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), IS_CURRENT_ASSIGNMENT))
    .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
    .leftJoin(standbys, and(eq(standbys.userId, vpnUsers.id), sql`${standbys.state} = 'active' AND ${standbys.role} = 'standby'`))
    .leftJoin(standbyNodes, eq(standbyNodes.id, standbys.nodeId))
    .where(eq(vpnUsers.subscriptionToken, token))
    .limit(1);
  if (!row) return { kind: "not-found" };
  const { user, assignment, node } = row;
  // The header wants unix seconds, 0 for "unlimited" and "never".
  const userinfo: Userinfo = {
    upload: user.upload,
    download: user.download,
    total: user.total ?? 0,
    expire: user.expiresAt ? Math.floor(user.expiresAt.getTime() / 1000) : 0,
  };
  if (user.status !== "active" || !assignment) return { kind: "empty", username: user.username, userinfo };
  // The primary first, the standby after it; either alone while the other's node is down.
  const links = [servableShareLink(assignment, node), servableShareLink(row.standby, row.standbyNode)].filter((link): link is string => link !== null);
  if (links.length === 0) return { kind: "unavailable", username: user.username };
  return { kind: "links", username: user.username, links, userinfo };
}
