/**
 * Invariant 3 — panel and database agree. For one node, compare what the database wants there
 * (its `pending`/`active` assignments) with the clients on its panel that carry our email prefix,
 * and close the gap:
 *
 * - a live assignment without its client → create it (and activate a `pending` row that is past
 *   the grace period: the request that made it died between the panel call and the commit);
 * - a client with a live assignment whose secret or plan drifted (enable, quota, expiry, device
 *   limit: keys/client-plan.ts) → repair it. A client the panel switched off while the user still
 *   has quota is read first: the panel may have counted bytes our last ledger pass had not, and
 *   switching it back on would only make the panel (v2.9.4: and its Xray) do it again;
 * - a client whose assignment left this node or ended (`revoking`, `revoked`, `failed`, moved),
 *   or whose email we do not know at all → delete it once the grace period has passed (the grace
 *   protects requests still in flight; unknown emails are timed from their first sighting);
 * - then recompute `reserved_count` from the assignments and report a mismatch as an event.
 *
 * Panel mutations go through the same create/delete primitives as the key flows (node lease +
 * in-process queue) and are capped per run. Everything done is recorded as an `operations` row of
 * kind `reconcile` with one item per action. `needs_reconcile` is cleared only by a clean run.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, events, nodes, operationItems, operations, type Assignment, type Node } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { systemClock, type Clock } from "@/server/services/clock";
import { hasPrefix, isClientIntact, panelSecretFor } from "@/server/services/keys/client-identity";
import { loadClientPlans, planPatch, UNLIMITED_PLAN, type ClientPlan } from "@/server/services/keys/client-plan";
import { applyReadings } from "@/server/services/ledger/apply-readings";
import { CLIENT_EMAIL_PREFIX } from "@/server/services/keys/key-deps";
import { createClientOnNode, deleteClientFromNode, readNodeInbound, shareLinkFor, type NodeClientDeps } from "@/server/services/keys/node-client";
import { withNodeMutation } from "@/server/services/keys/node-mutation";
import { isPanelError, type Inbound, type InboundClient } from "@/server/x3ui/types";
import { recountReservations } from "./recount-reservations";

export type ReconcileDeps = NodeClientDeps & {
  clock?: Clock;
  emailPrefix?: string;
  /** Age below which a pending row or a stray client is presumed to belong to a request in flight. */
  graceMs: number;
  /** Panel mutations per node per run; the rest waits for the next run. */
  maxActions: number;
  /** Who asked: "system" for the cron, else the admin's username. */
  startedBy?: string;
};

type ActionKind = "created" | "activated" | "repaired" | "deleted_orphan" | "deleted_revoked" | "closed_revoked";

export type ReconcileAction = { kind: ActionKind; email: string; userId: string | null; ok: boolean; detail?: string };

export type NodeReconcileReport = {
  nodeId: string;
  nodeName: string;
  actions: ReconcileAction[];
  /** Work left for a later run: over the action cap, or still inside the grace period. */
  deferred: number;
  reservedCount: { before: number; after: number };
  /** Set when the panel could not be read at all. */
  error?: string;
  clean: boolean;
};

const UNKNOWN_CLIENT_EVENT = "reconcile.unknown_client";

type PanelEntry = { client: InboundClient; inboundId: number };

async function firstSighting(db: Database, node: Node, email: string, now: Date): Promise<Date> {
  const [seen] = await db
    .select({ at: events.createdAt })
    .from(events)
    .where(and(eq(events.kind, UNKNOWN_CLIENT_EVENT), eq(events.nodeId, node.id), sql`${events.data}->>'email' = ${email}`))
    .orderBy(asc(events.createdAt))
    .limit(1);
  if (seen) return seen.at;
  await db.insert(events).values({
    kind: UNKNOWN_CLIENT_EVENT,
    severity: "warning",
    nodeId: node.id,
    message: `Client ${email} on ${node.name} carries our prefix but no assignment; it is deleted after the grace period.`,
    data: { email },
    createdAt: now,
  });
  return now;
}

export async function reconcileNode(deps: ReconcileDeps, nodeId: string): Promise<NodeReconcileReport> {
  const { db } = deps;
  const now = (deps.clock ?? systemClock).now();
  const prefix = deps.emailPrefix ?? CLIENT_EMAIL_PREFIX;
  const isPastGrace = (since: Date) => now.getTime() - since.getTime() >= deps.graceMs;

  const [node] = await db.select().from(nodes).where(eq(nodes.id, nodeId));
  if (!node) throw new Error(`node ${nodeId} not found`);
  const report: NodeReconcileReport = { nodeId, nodeName: node.name, actions: [], deferred: 0, reservedCount: { before: node.reservedCount, after: node.reservedCount }, clean: false };

  const rows = await db
    .select()
    .from(assignments)
    .where(and(eq(assignments.nodeId, node.id), inArray(assignments.state, ["pending", "active", "revoking"])));
  const rowByEmail = new Map(rows.map((r) => [r.clientEmail.toLowerCase(), r]));
  const inboundIds = [...new Set([node.inboundId, ...rows.map((r) => r.inboundId)])];

  const onPanel = new Map<string, PanelEntry>();
  const inbounds = new Map<number, Inbound>();
  try {
    for (const inboundId of inboundIds) {
      inbounds.set(inboundId, await readNodeInbound(deps, node, inboundId));
      for (const client of await deps.panelFor(node).listClients(inboundId)) {
        if (hasPrefix(client.email, prefix)) onPanel.set(client.email.toLowerCase(), { client, inboundId });
      }
    }
  } catch (error) {
    logger.warn("reconcile could not read the panel", { nodeId, error });
    report.error = isPanelError(error) ? `panel ${error.kind}` : "panel read failed";
    await finish(deps, node, report, now);
    return report;
  }

  let budget = deps.maxActions;
  const act = async (kind: ActionKind, row: Pick<Assignment, "userId"> | null, email: string, fn: () => Promise<string | void>) => {
    if (budget <= 0) {
      report.deferred++;
      return;
    }
    budget--;
    try {
      const detail = await fn();
      report.actions.push({ kind, email, userId: row?.userId ?? null, ok: true, ...(detail ? { detail } : {}) });
    } catch (error) {
      logger.warn("reconcile action failed", { nodeId, kind, email, error });
      report.actions.push({ kind, email, userId: row?.userId ?? null, ok: false, detail: isPanelError(error) ? `panel ${error.kind}` : "failed" });
    }
  };

  const plans = await loadClientPlans(db, rows.filter((r) => r.state !== "revoking").map((r) => r.id), now);
  const planOf = (row: Assignment) => plans.get(row.id) ?? UNLIMITED_PLAN;

  // Clients on the panel: keep and repair ours, delete what nothing live claims.
  for (const [email, { client, inboundId }] of onPanel) {
    const row = rowByEmail.get(email);
    const isWanted = row && (row.state === "pending" || row.state === "active") && row.inboundId === inboundId;
    if (row && isWanted) {
      const inbound = inbounds.get(inboundId) as Inbound;
      let plan = planOf(row);
      if (plan.enable && !client.enable && !isClientIntact(inbound, row.clientId, client, plan)) plan = await freshPlan(deps, node, row, plan, now);
      if (!isClientIntact(inbound, row.clientId, client, plan)) {
        await act("repaired", row, row.clientEmail, () =>
          withNodeMutation(db, node.id, () => deps.panelFor(node).updateClient(inboundId, client.email, { ...panelSecretFor(inbound, row.clientId), ...planPatch(plan) }), deps.lease),
        );
      }
      if (row.state === "pending") {
        if (!isPastGrace(row.updatedAt)) continue;
        // The request died after its panel call: the client is there, finish what it started.
        await activate(db, row, shareLinkFor(node, inbound, row));
        report.actions.push({ kind: "activated", email: row.clientEmail, userId: row.userId, ok: true });
      }
      continue;
    }
    const owner = row ?? (await db.select().from(assignments).where(eq(assignments.clientEmail, client.email)))[0];
    const since = owner ? owner.updatedAt : await firstSighting(db, node, client.email, now);
    if (!isPastGrace(since)) {
      report.deferred++;
      continue;
    }
    const isRevoking = owner?.state === "revoking" && owner.nodeId === node.id;
    await act(isRevoking ? "deleted_revoked" : "deleted_orphan", owner ?? null, client.email, async () => {
      await deleteClientFromNode(deps, node, { inboundId, clientEmail: client.email });
      if (isRevoking && owner) await closeRevoked(db, owner.id);
    });
  }

  // Live assignments without their client: create it.
  for (const row of rows) {
    const present = onPanel.get(row.clientEmail.toLowerCase());
    if (row.state === "revoking") {
      if (present) continue; // handled above: deleted once past the grace period
      await closeRevoked(db, row.id);
      report.actions.push({ kind: "closed_revoked", email: row.clientEmail, userId: row.userId, ok: true });
      continue;
    }
    // On the panel under its own inbound: handled above. (Under another inbound it was just deleted.)
    if (present?.inboundId === row.inboundId) continue;
    if (row.state === "pending" && !isPastGrace(row.updatedAt)) continue;
    await act("created", row, row.clientEmail, async () => {
      // A re-created client's counter starts again from zero: it gets what is left fleet-wide.
      const { shareLink } = await createClientOnNode(deps, node, { ...row, plan: (await loadClientPlans(db, [row.id], now)).get(row.id) ?? UNLIMITED_PLAN });
      if (row.state === "pending") await activate(db, row, shareLink);
      return row.state === "pending" ? "created and activated a pending key" : "re-created a missing client";
    });
  }

  report.reservedCount = await recountReservations(db, node.id);
  await finish(deps, node, report, now);
  return report;
}

/** The client's plan after adding its current counter to the ledger; the plan as it was when the panel cannot say. */
async function freshPlan(deps: ReconcileDeps, node: Node, row: Assignment, plan: ClientPlan, now: Date): Promise<ClientPlan> {
  const traffic = await deps.panelFor(node).getClientTraffic(row.clientEmail).catch(() => null);
  if (!traffic) return plan;
  await applyReadings(deps.db, { nodeId: node.id, at: now, readings: [{ inboundId: row.inboundId, email: traffic.email, up: traffic.up, down: traffic.down }] });
  return (await loadClientPlans(deps.db, [row.id], now)).get(row.id) ?? plan;
}

async function activate(db: Database, row: Assignment, shareLink: string): Promise<void> {
  await db
    .update(assignments)
    .set({ state: "active", shareLink, activatedAt: sql`now()`, updatedAt: sql`now()`, lastError: null })
    .where(and(eq(assignments.id, row.id), eq(assignments.state, "pending")));
}

async function closeRevoked(db: Database, assignmentId: string): Promise<void> {
  await db
    .update(assignments)
    .set({ state: "revoked", endedAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(assignments.id, assignmentId), eq(assignments.state, "revoking")));
}

/** Records the run and, if nothing is left to do, lets the node take new users again. */
async function finish(deps: ReconcileDeps, node: Node, report: NodeReconcileReport, now: Date): Promise<void> {
  const failed = report.actions.filter((a) => !a.ok).length;
  report.clean = !report.error && failed === 0 && report.deferred === 0;
  const isMismatch = report.reservedCount.before !== report.reservedCount.after;
  await deps.db.transaction(async (tx) => {
    if (report.actions.length > 0 || isMismatch || report.error) {
      const [operation] = await tx
        .insert(operations)
        .values({
          kind: "reconcile",
          status: report.error ? "failed" : failed > 0 ? "partial" : "succeeded",
          nodeId: node.id,
          startedBy: deps.startedBy ?? "system",
          reason: isMismatch ? `reserved count ${report.reservedCount.before} → ${report.reservedCount.after}` : null,
          total: report.actions.length,
          succeeded: report.actions.length - failed,
          failed,
          error: report.error ?? null,
          startedAt: now,
          finishedAt: sql`now()`,
        })
        .returning({ id: operations.id });
      if (operation && report.actions.length > 0) {
        await tx.insert(operationItems).values(
          report.actions.map((a) => ({
            operationId: operation.id,
            userId: a.userId,
            fromNodeId: node.id,
            status: a.ok ? ("succeeded" as const) : ("failed" as const),
            detail: `${a.kind} ${a.email}${a.detail ? `: ${a.detail}` : ""}`,
          })),
        );
      }
    }
    await tx
      .update(nodes)
      .set({ lastReconciledAt: sql`now()`, ...(report.clean ? { needsReconcile: false } : {}) })
      .where(eq(nodes.id, node.id));
  });
}
