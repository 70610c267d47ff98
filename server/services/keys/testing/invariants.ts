/**
 * The crash-safety invariants as one check over the database and the simulated panels' real
 * contents (not through the API), for tests to run after any fault — before a reconcile as well as
 * after. Returns every violation as a sentence; an empty list means all hold:
 *
 * - capacity exact: every node's `reserved_count` equals its live (pending + active) assignments,
 *   and stays within `max_users` (invariant 1);
 * - no key that should not work is live: every enabled client with our prefix belongs to an
 *   active assignment on that node and inbound, or to unfinished work there (a placement not yet
 *   activated, a retirement not yet done) — never to a revoked, failed or moved-away one
 *   (invariant 10), never to an email we did not issue;
 * - no twins: a user has at most one enabled client of an active key, plus at most one of
 *   unfinished work (a rotation, during which the old key keeps working);
 * - every active assignment has its enabled client (a user with a key has service);
 * - with `settled`: no pending or revoking work left past its deadline — the next request or the
 *   reconciler has settled it (invariant 12).
 */
import { and, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, nodes } from "@/server/db/schema";
import { CLIENT_EMAIL_PREFIX } from "../key-deps";
import type { SimulatedFleet } from "./simulated-fleet";

export type InvariantOptions = { settled?: boolean; prefix?: string };

export async function findInvariantViolations(db: Database, fleet: Pick<SimulatedFleet, "panels" | "nodes">, options: InvariantOptions = {}): Promise<string[]> {
  const prefix = (options.prefix ?? CLIENT_EMAIL_PREFIX).toLowerCase();
  const violations: string[] = [];

  const nodeRows = await db
    .select({
      id: nodes.id,
      name: nodes.name,
      reservedCount: nodes.reservedCount,
      maxUsers: nodes.maxUsers,
      // Spelled out: in a one-table select drizzle leaves column names unqualified, and "id" would mean a.id here.
      live: sql<number>`(SELECT count(*)::int FROM ${assignments} a WHERE a.node_id = nodes.id AND a.state IN ('pending', 'active') AND a.role = 'primary')`,
    })
    .from(nodes);
  const nameOf = new Map(nodeRows.map((n) => [n.id, n.name]));
  for (const node of nodeRows) {
    if (node.reservedCount !== node.live) violations.push(`capacity drift on ${node.name}: reserved ${node.reservedCount}, live assignments ${node.live}`);
    if (node.live > node.maxUsers) violations.push(`oversubscribed ${node.name}: ${node.live} live > max ${node.maxUsers}`);
  }

  const rows = await db
    .select({
      id: assignments.id,
      userId: assignments.userId,
      nodeId: assignments.nodeId,
      inboundId: assignments.inboundId,
      email: assignments.clientEmail,
      state: assignments.state,
    })
    .from(assignments);
  const byEmail = new Map(rows.map((r) => [r.email.toLowerCase(), r]));

  const enabledByUser = new Map<string, { email: string; isInFlight: boolean }[]>();
  const enabledEmails = new Set<string>();
  for (const [nodeId, panel] of fleet.panels) {
    for (const inbound of panel.state.inbounds) {
      for (const client of inbound.settings.clients) {
        const email = String(client.email ?? "").toLowerCase();
        if (!email.startsWith(prefix) || client.enable === false) continue;
        enabledEmails.add(`${nodeId}/${inbound.id}/${email}`);
        const row = byEmail.get(email);
        const where = `${email} on ${nameOf.get(nodeId) ?? nodeId}`;
        if (!row) {
          violations.push(`a client we never issued is live: ${where}`);
          continue;
        }
        const isHere = row.nodeId === nodeId && row.inboundId === inbound.id;
        if (!isHere || (row.state !== "active" && row.state !== "pending" && row.state !== "revoking")) {
          violations.push(`a key that should not work is live: ${where} (${isHere ? row.state : `${row.state}, assigned elsewhere`})`);
          continue;
        }
        const list = enabledByUser.get(row.userId) ?? [];
        list.push({ email, isInFlight: row.state !== "active" });
        enabledByUser.set(row.userId, list);
      }
    }
  }
  for (const [userId, clients] of enabledByUser) {
    const settledOnes = clients.filter((c) => !c.isInFlight);
    if (settledOnes.length > 1 || clients.length > 2) violations.push(`user ${userId} has ${clients.length} live clients: ${clients.map((c) => c.email).join(", ")}`);
  }

  for (const row of rows) {
    if (row.state === "active" && row.nodeId && fleet.panels.has(row.nodeId) && !enabledEmails.has(`${row.nodeId}/${row.inboundId}/${row.email.toLowerCase()}`)) {
      violations.push(`active key without its client: ${row.email} on ${nameOf.get(row.nodeId)}`);
    }
  }

  if (options.settled) {
    const stale = await db
      .select({ email: assignments.clientEmail, state: assignments.state })
      .from(assignments)
      .where(and(inArray(assignments.state, ["pending", "revoking"]), sql`(${assignments.settleBy} IS NULL OR ${assignments.settleBy} <= now())`));
    for (const row of stale) violations.push(`work left stale: ${row.email} still ${row.state} past its deadline`);
  }
  return violations;
}

/** Ends every in-flight deadline now, as if the requests that own the work had died that long ago. */
export async function expireInFlight(db: Database): Promise<void> {
  await db
    .update(assignments)
    .set({ settleBy: sql`now() - interval '1 second'` })
    .where(inArray(assignments.state, ["pending", "revoking"]));
}
