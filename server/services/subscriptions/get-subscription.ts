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
 */
import { and, eq } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, nodes, vpnUsers, type Node } from "@/server/db/schema";
import { IS_CURRENT_ASSIGNMENT } from "@/server/services/keys/find-user-key";

export type Userinfo = { upload: number; download: number; total: number; expire: number };

export type Subscription =
  | { kind: "not-found" }
  | { kind: "empty"; username: string | null; userinfo: Userinfo }
  | { kind: "unavailable"; username: string | null }
  | { kind: "links"; username: string | null; links: string[]; userinfo: Userinfo };

export type SubscriptionDeps = { db: Database };

const SERVABLE_ADMIN_STATES = new Set<Node["adminState"]>(["active"]);

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
    })
    .from(vpnUsers)
    .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), IS_CURRENT_ASSIGNMENT))
    .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
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
  if (assignment.state !== "active" || !assignment.shareLink || !node) return { kind: "unavailable", username: user.username };
  if (node.healthState === "unhealthy" || !SERVABLE_ADMIN_STATES.has(node.adminState)) return { kind: "unavailable", username: user.username };
  return { kind: "links", username: user.username, links: [assignment.shareLink], userinfo };
}
