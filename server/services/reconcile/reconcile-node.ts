/**
 * Invariant 3 — panel and database agree. For one node, compare the clients on its panel that are
 * ours on this node with what the database wants there, and close the gap. Ours (invariant 11): a
 * client an assignment row of this node names — issued here or adopted here — or one whose email has
 * the shape we issue for this node (a crash can leave one before its row is read). Nothing else on
 * the panel is read further or touched: an operator's own clients, and another node's, even when
 * two nodes were pointed at one inbound. The panel is listed
 * FIRST and the rows read after it, and every change is re-checked under the node's writer right
 * before it is made: a revoke or a move that lands between the two reads is seen, and a client is
 * never re-created for a key that was revoked or moved meanwhile.
 *
 * - an active assignment without its client → create it (it was deleted by hand, or the panel was
 *   restored from a backup); one whose secret or plan drifted (enable, quota, expiry, device limit:
 *   keys/client-plan.ts) → repair it. A client the panel switched off while the user still has
 *   quota is read first: the panel may have counted bytes our last ledger pass had not, and
 *   switching it back on would only make the panel (v2.9.4: and its Xray) do it again;
 * - a `pending` or `revoking` row whose request is gone (past `settle_by`) → settle it
 *   (keys/settle-in-flight.ts: activate or fail the placement; finish the retirement);
 * - a client whose assignment ended or left this node (revoked, failed, moved — a twin left by a
 *   failed attempt included) → take it off at once: nothing can still be creating that email. Where
 *   the panel refuses the delete (v2 keeps an inbound's last client) it is switched off, recorded
 *   on its row, and deleted by a later run once the inbound has another client;
 * - a client whose email has the shape we issue for this node but that no row names → delete it
 *   after the grace period (timed from its first sighting);
 * - then recompute `reserved_count` from the assignments and report a mismatch as an event.
 *
 * Panel mutations are capped per run. Everything done is recorded as an `operations` row of kind
 * `reconcile` with one item per action. `needs_reconcile` is cleared only by a clean run.
 */
import { and, asc, eq, getTableColumns, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { assignments, events, nodes, operationItems, operations, type Assignment, type Node } from "@/server/db/schema";
import { logger } from "@/server/logger";
import { systemClock, type Clock } from "@/server/services/clock";
import { isClientIntact, isIssuedFor, panelSecretFor } from "@/server/services/keys/client-identity";
import { loadClientPlans, planPatch, UNLIMITED_PLAN, type ClientPlan } from "@/server/services/keys/client-plan";
import { CLIENT_EMAIL_PREFIX, type KeyWorkDeps } from "@/server/services/keys/key-deps";
import { createClientOnNode, readNodeInbound, removeClientFromNode } from "@/server/services/keys/node-client";
import { withNodeWriter, writerHolds, type NodeWriter } from "@/server/services/keys/node-writer";
import { EJECTION_CLEARED, ejectNode, isNodeFailure } from "@/server/services/keys/outlier-ejection";
import { isStale } from "@/server/services/keys/placement";
import { retireAssignment } from "@/server/services/keys/retire-assignment";
import { settlePending } from "@/server/services/keys/settle-in-flight";
import { applyReadings } from "@/server/services/ledger/apply-readings";
import { isPanelError, type Inbound, type InboundClient } from "@/server/x3ui/types";
import { recountReservations } from "./recount-reservations";

export type ReconcileDeps = KeyWorkDeps & {
  clock?: Clock;
  /** Age below which a stray client issued for this node but named by no row is left alone. */
  graceMs: number;
  /** Panel mutations per node per run; the rest waits for the next run. */
  maxActions: number;
  /** Who asked: "system" for the cron, else the admin's username. */
  startedBy?: string;
};

type ActionKind = "created" | "activated" | "repaired" | "deleted_orphan" | "deleted_revoked" | "disabled" | "closed_revoked" | "failed_pending";

export type ReconcileAction = { kind: ActionKind; email: string; userId: string | null; ok: boolean; detail?: string };

export type NodeReconcileReport = {
  nodeId: string;
  nodeName: string;
  actions: ReconcileAction[];
  /** Work left for a later run: over the action cap, or a stray client still inside the grace period. */
  deferred: number;
  reservedCount: { before: number; after: number };
  /** Set when the panel could not be read at all. */
  error?: string;
  clean: boolean;
};

const UNKNOWN_CLIENT_EVENT = "reconcile.unknown_client";

type PanelEntry = { client: InboundClient; inboundId: number };
type Row = Assignment & { isStale: boolean };

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
    message: `Client ${email} on ${node.name} was issued for this node but no assignment names it; it is deleted after the grace period.`,
    data: { email },
    createdAt: now,
  });
  return now;
}

/** Whether the database wants this client on this node's inbound: a live assignment placed here. */
function isWantedHere(row: Pick<Assignment, "state" | "nodeId" | "inboundId">, node: Node, inboundId: number): boolean {
  return (row.state === "active" || row.state === "pending") && row.nodeId === node.id && row.inboundId === inboundId;
}

/** The row as it is now, read under the writer: what the action decided on may have changed. */
async function reread(db: Database, id: string): Promise<Assignment | null> {
  const [row] = await db.select().from(assignments).where(eq(assignments.id, id));
  return row ?? null;
}

export async function reconcileNode(deps: ReconcileDeps, nodeId: string): Promise<NodeReconcileReport> {
  const { db } = deps;
  const now = (deps.clock ?? systemClock).now();
  const prefix = deps.emailPrefix ?? CLIENT_EMAIL_PREFIX;

  const [node] = await db.select().from(nodes).where(eq(nodes.id, nodeId));
  if (!node) throw new Error(`node ${nodeId} not found`);
  const report: NodeReconcileReport = { nodeId, nodeName: node.name, actions: [], deferred: 0, reservedCount: { before: node.reservedCount, after: node.reservedCount }, clean: false };

  // 1. The panel first. Which inbounds to read comes from the rows, but their states are read after.
  const inboundRows = await db
    .selectDistinct({ inboundId: assignments.inboundId })
    .from(assignments)
    .where(and(eq(assignments.nodeId, node.id), inArray(assignments.state, ["pending", "active", "revoking"])));
  const inboundIds = [...new Set([node.inboundId, ...inboundRows.map((r) => r.inboundId)])];
  const onPanel = new Map<string, PanelEntry>();
  const inbounds = new Map<number, { inbound: Inbound; clientCount: number }>();
  try {
    for (const inboundId of inboundIds) {
      const clients = await deps.panelFor(node).listClients(inboundId);
      inbounds.set(inboundId, { inbound: await readNodeInbound(deps.panelFor, node, inboundId), clientCount: clients.length });
      for (const client of clients) onPanel.set(client.email.toLowerCase(), { client, inboundId });
    }
  } catch (error) {
    logger.warn("reconcile could not read the panel", { nodeId, error });
    report.error = isPanelError(error) ? `panel ${error.kind}` : "panel read failed";
    await finish(deps, node, report, now);
    return report;
  }
  // The panel answers again: an outlier cool-off ends here rather than holding back the repairs below.
  if (node.ejectedUntil) {
    await db.update(nodes).set(EJECTION_CLEARED).where(eq(nodes.id, node.id));
    node.ejectedUntil = null;
  }

  // 2. Then the rows: this node's live and retiring ones, and this node's ended rows naming any other client listed.
  const withStale = { ...getTableColumns(assignments), isStale: sql<boolean>`${isStale}` };
  const here: Row[] = await db.select(withStale).from(assignments).where(and(eq(assignments.nodeId, node.id), inArray(assignments.state, ["pending", "active", "revoking"])));
  const byEmail = new Map(here.map((r) => [r.clientEmail.toLowerCase(), r]));
  const unexplained = [...onPanel.keys()].filter((e) => !byEmail.has(e));
  if (unexplained.length > 0) {
    const ended: Row[] = await db
      .select(withStale)
      .from(assignments)
      .where(and(eq(assignments.nodeId, node.id), inArray(sql`lower(${assignments.clientEmail})`, unexplained)))
      .orderBy(asc(assignments.createdAt));
    for (const row of ended) byEmail.set(row.clientEmail.toLowerCase(), row);
  }
  for (const email of unexplained) if (!byEmail.has(email) && !isIssuedFor(email, prefix, node.id)) onPanel.delete(email);

  let budget = deps.maxActions;
  const act = async (kind: ActionKind, row: Pick<Assignment, "userId"> | null, email: string, fn: () => Promise<string | ActionKind | void>) => {
    if (budget <= 0) {
      report.deferred++;
      return;
    }
    budget--;
    try {
      const result = await fn();
      const isKind = typeof result === "string" && ACTION_KINDS.has(result as ActionKind);
      report.actions.push({ kind: isKind ? (result as ActionKind) : kind, email, userId: row?.userId ?? null, ok: true, ...(!isKind && result ? { detail: result } : {}) });
    } catch (error) {
      if (isNodeFailure(error)) await ejectNode(db, node.id, deps.ejection);
      logger.warn("reconcile action failed", { nodeId, kind, email, error });
      report.actions.push({ kind, email, userId: row?.userId ?? null, ok: false, detail: isPanelError(error) ? `panel ${error.kind}` : "failed" });
    }
  };
  const underWriter = <T>(fn: (writer: NodeWriter) => Promise<T>) => withNodeWriter(deps, node.id, fn);
  const plans = await loadClientPlans(db, here.filter((r) => r.state === "active").map((r) => r.id), now);
  // The plan as it stands when the change is made (a plan change may have landed since the list).
  const currentPlan = async (id: string) => (await loadClientPlans(db, [id], now)).get(id) ?? UNLIMITED_PLAN;

  // 3. Clients on the panel: keep and repair ours, settle what crashed requests left, take off the rest.
  for (const [email, { client, inboundId }] of onPanel) {
    const row = byEmail.get(email);
    const inbound = inbounds.get(inboundId)?.inbound as Inbound;
    if (row && isWantedHere(row, node, inboundId)) {
      if (row.state === "pending") {
        if (row.isStale) await act("activated", row, row.clientEmail, async () => settledAs(await settlePending(deps, row)));
        continue;
      }
      let plan = plans.get(row.id) ?? UNLIMITED_PLAN;
      if (plan.enable && !client.enable && !isClientIntact(inbound, row, client, plan)) plan = await freshPlan(deps, node, row, plan, now);
      if (!isClientIntact(inbound, row, client, plan)) {
        await act("repaired", row, row.clientEmail, () =>
          underWriter(async (writer) => {
            const current = await reread(db, row.id);
            if (!current || current.state !== "active" || !isWantedHere(current, node, inboundId)) return "changed meanwhile; left alone";
            const patch = { ...panelSecretFor(inbound, row), ...planPatch(await currentPlan(row.id)) };
            writer.assertHeld();
            await deps.panelFor(node).updateClient(inboundId, client.email, patch);
          }),
        );
      }
      continue;
    }
    if (row?.state === "revoking" && row.nodeId === node.id) {
      if (row.isStale) await act("deleted_revoked", row, client.email, async () => retiredAs(await retireAssignment(deps, row, { evenIfEjected: true })));
      continue;
    }
    if (!row) {
      if (now.getTime() - (await firstSighting(db, node, client.email, now)).getTime() < deps.graceMs) {
        report.deferred++;
        continue;
      }
    } else if (!client.enable && (inbounds.get(inboundId)?.clientCount ?? 0) <= 1) {
      // Switched off because the panel keeps an inbound's last client: nothing to do until it has another.
      continue;
    }
    await act("deleted_orphan", row ?? null, client.email, () =>
      underWriter(async (writer) => {
        const current = row ? await reread(db, row.id) : null;
        if (current && (isWantedHere(current, node, inboundId) || (current.state === "revoking" && current.nodeId === node.id))) return "changed meanwhile; left alone";
        const outcome = await removeClientFromNode(deps, writer, node, { inboundId, clientEmail: client.email });
        if (outcome === "disabled" && current) await recordDisabled(db, writer, current.id);
        return outcome === "disabled" ? "disabled" : undefined;
      }),
    );
  }

  // 4. This node's rows without their client on the panel.
  for (const row of here) {
    if (onPanel.get(row.clientEmail.toLowerCase())?.inboundId === row.inboundId) continue;
    if (row.state === "revoking") {
      if (row.isStale) await act("closed_revoked", row, row.clientEmail, async () => retiredAs(await retireAssignment(deps, row, { evenIfEjected: true })));
      continue;
    }
    if (row.state === "pending") {
      if (row.isStale) await act("failed_pending", row, row.clientEmail, async () => settledAs(await settlePending(deps, row)));
      continue;
    }
    await act("created", row, row.clientEmail, () =>
      underWriter(async (writer) => {
        const current = await reread(db, row.id);
        // Revoked or moved since the panel was listed: never bring its client back.
        if (!current || current.state !== "active" || current.nodeId !== node.id || current.inboundId !== row.inboundId) return "changed meanwhile; left alone";
        // A re-created client's counter starts again from zero: it gets what is left fleet-wide.
        await createClientOnNode(deps.panelFor, writer, node, { ...current, plan: await currentPlan(current.id) });
        return "re-created a missing client";
      }),
    );
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

const ACTION_KINDS = new Set<ActionKind>(["created", "activated", "repaired", "deleted_orphan", "deleted_revoked", "disabled", "closed_revoked", "failed_pending"]);

/** How a settled placement reads in the report. */
function settledAs(outcome: Awaited<ReturnType<typeof settlePending>>): ActionKind | string {
  switch (outcome.kind) {
    case "activated":
      return "activated";
    case "failed":
      return "failed_pending";
    case "unknown":
      throw new Error("the panel could not say whether the client exists");
    case "unchanged":
      return "settled meanwhile by another request";
  }
}

function retiredAs(outcome: Awaited<ReturnType<typeof retireAssignment>>): ActionKind | string | void {
  if (outcome === "pending") throw new Error("the client could not be taken off the panel");
  if (outcome === "disabled") return "disabled";
}

/** The panel refused to delete an ended key's client and it was switched off instead: say so on its row. */
async function recordDisabled(db: Database, writer: NodeWriter, assignmentId: string): Promise<void> {
  await db
    .update(assignments)
    .set({ panelDisabledAt: sql`now()`, updatedAt: sql`now()` })
    .where(and(eq(assignments.id, assignmentId), inArray(assignments.state, ["revoked", "failed"]), writerHolds(writer)));
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
