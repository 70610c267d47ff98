/**
 * GET /sub/{token}: what a VPN client app receives for a user. The token is per user and survives
 * moves, so the app keeps one URL while the key behind it changes.
 *
 * Never a link to a node that is unhealthy, draining or disabled: for those (and while a key is
 * being created or moved) the answer is "unavailable" — the route answers 503 with Retry-After,
 * which v2rayN, Hiddify, Streisand, Happ and v2rayNG treat as a failed update and keep their
 * last profile (an empty 200 would make several of them wipe it). A user with no key at all gets
 * an empty 200, which does clear the app's list: there is nothing to keep.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, nodes, vpnUsers, type Node } from "@/server/db/schema";
import { logger } from "@/server/logger";
import type { PanelFactory } from "@/server/services/keys/key-deps";

export type Userinfo = { upload: number; download: number; total: number; expire: number };

export type Subscription =
  | { kind: "not-found" }
  | { kind: "empty"; username: string | null }
  | { kind: "unavailable"; username: string | null }
  | { kind: "links"; username: string | null; links: string[]; userinfo: Userinfo };

export type SubscriptionDeps = {
  db: Database;
  panelFor: PanelFactory;
  /** Traffic is a nicety: a slow panel must not hold the answer up. */
  trafficTimeoutMs?: number;
};

const SERVABLE_ADMIN_STATES = new Set<Node["adminState"]>(["active"]);

async function readUserinfo(deps: SubscriptionDeps, node: Node, email: string): Promise<Userinfo> {
  const none: Userinfo = { upload: 0, download: 0, total: 0, expire: 0 };
  let timer: NodeJS.Timeout | undefined;
  try {
    const traffic = await Promise.race([
      deps.panelFor(node).getClientTraffic(email),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), deps.trafficTimeoutMs ?? 1_500);
      }),
    ]);
    if (!traffic) return none;
    // The header wants unix seconds; the panel keeps epoch ms, negative for "from first use" (unknown yet).
    return { upload: traffic.up, download: traffic.down, total: traffic.total, expire: traffic.expiryTime > 0 ? Math.floor(traffic.expiryTime / 1000) : 0 };
  } catch (error) {
    logger.debug("subscription traffic unavailable", { nodeId: node.id, error });
    return none;
  } finally {
    clearTimeout(timer);
  }
}

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export async function getSubscription(deps: SubscriptionDeps, token: string): Promise<Subscription> {
  if (!TOKEN.test(token)) return { kind: "not-found" };
  const [row] = await deps.db
    .select({ user: { username: vpnUsers.username, status: vpnUsers.status }, assignment: { state: assignments.state, shareLink: assignments.shareLink, clientEmail: assignments.clientEmail }, node: nodes })
    .from(vpnUsers)
    .leftJoin(assignments, and(eq(assignments.userId, vpnUsers.id), sql`${assignments.state} IN ('pending', 'active')`))
    .leftJoin(nodes, eq(nodes.id, assignments.nodeId))
    .where(eq(vpnUsers.subscriptionToken, token))
    .limit(1);
  if (!row) return { kind: "not-found" };
  const username = row.user.username;
  if (row.user.status !== "active" || !row.assignment) return { kind: "empty", username };
  const { assignment, node } = row;
  if (assignment.state !== "active" || !assignment.shareLink || !node) return { kind: "unavailable", username };
  if (node.healthState === "unhealthy" || !SERVABLE_ADMIN_STATES.has(node.adminState)) return { kind: "unavailable", username };
  const userinfo = await readUserinfo(deps, node, assignment.clientEmail);
  return { kind: "links", username, links: [assignment.shareLink], userinfo };
}
