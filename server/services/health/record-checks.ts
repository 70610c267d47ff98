/**
 * Writes a batch of finished health checks in one statement: each node's new state (only where the
 * sweep still holds the node's lease), its check row and, for a transition, its event. One statement
 * is one transaction, so a transition and its event commit together, and the health_quarter_hours
 * trigger (a statement trigger) runs once per batch instead of once per node. At fleet scale the
 * per-node statements (begin, update, insert, insert, commit) were most of a sweep's database work
 * and much of its CPU.
 *
 * The rows are locked in id order before they are written, as every multi-node writer does, so a
 * batch never deadlocks with a move that locks the same nodes.
 */
import { sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import type { Node, NodeHealthState } from "@/server/db/schema";
import { rowsOf } from "@/server/db/migrate";
import type { MessageRef } from "@/server/message-ref";
import { ref } from "@/server/messages";
import type { CheckResult } from "./check-node";
import type { HealthStatus } from "./next-health";

export type CheckWrite = { node: Node; result: CheckResult; next: HealthStatus; at: Date };

const EVENT_FOR: Partial<Record<NodeHealthState, { kind: string; severity: "info" | "warning" | "critical" }>> = {
  healthy: { kind: "node.up", severity: "info" },
  degraded: { kind: "node.degraded", severity: "warning" },
  unhealthy: { kind: "node.down", severity: "critical" },
  auth_error: { kind: "node.auth_error", severity: "critical" },
  misconfigured: { kind: "node.misconfigured", severity: "critical" },
};

const healthValue = (state: NodeHealthState): MessageRef => ({ code: `healthValue.${state}` });

/** The event's text for people: who moved where, and why. */
function transitionMessage(node: Node, to: NodeHealthState, reason: MessageRef | null): MessageRef {
  const from = healthValue(node.healthState);
  const why = reason ?? ref("panel.internal");
  switch (to) {
    case "healthy":
      return ref("event.node.up", { node: node.name, from });
    case "degraded":
      return ref("event.node.degraded", { node: node.name, from, reason: why });
    case "auth_error":
      return ref("event.node.auth_error", { node: node.name, reason: why });
    case "misconfigured":
      return ref("event.node.misconfigured", { node: node.name, reason: why });
    default:
      return ref("event.node.down", { node: node.name, from, reason: why });
  }
}

function rowOf({ node, result, next, at }: CheckWrite) {
  const isTransition = next.state !== node.healthState;
  const event = isTransition ? EVENT_FOR[next.state] : undefined;
  return {
    id: node.id,
    health_state: next.state,
    consecutive_successes: next.consecutiveSuccesses,
    consecutive_failures: next.consecutiveFailures,
    failing_since: next.failingSince,
    is_transition: isTransition,
    checked_at: at,
    latency_ms: result.latencyMs,
    error: result.error,
    error_ref: result.errorRef,
    // What the check did not learn keeps the node's last known value.
    xray_state: result.xrayState || null,
    xray_version: result.xrayVersion,
    panel_version: result.panelVersion || null,
    api_generation: result.apiGeneration || null,
    inbound_protocol: result.inboundProtocol || null,
    // An inconclusive check (a panel still starting) is neither a success nor a failure: no chart point.
    has_check: result.outcome !== "inconclusive",
    is_ok: result.outcome === "ok",
    cpu_percent: result.cpuPercent,
    mem_used_bytes: result.memUsedBytes,
    mem_total_bytes: result.memTotalBytes,
    online_clients: result.onlineClients,
    event_kind: event?.kind ?? null,
    event_severity: event?.severity ?? null,
    event_message: event
      ? `Node "${node.name}" is ${next.state.replace("_", " ")} (was ${node.healthState.replace("_", " ")})${result.error ? `: ${result.error}` : ""}`
      : null,
    event_message_ref: event ? transitionMessage(node, next.state, result.errorRef) : null,
    event_data: event
      ? { from: node.healthState, to: next.state, consecutiveFailures: next.consecutiveFailures, failingSince: next.failingSince }
      : null,
  };
}

/** Records the checks of nodes whose lease `owner` still holds; returns their ids (the others were claimed by another sweep). */
export async function recordChecks(db: Database, owner: string, writes: CheckWrite[]): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  const written = await db.execute(sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(writes.map(rowOf))}::jsonb) AS x(
        id uuid, health_state node_health_state, consecutive_successes int, consecutive_failures int, failing_since timestamptz,
        is_transition boolean, checked_at timestamptz, latency_ms int, error text, error_ref jsonb,
        xray_state text, xray_version text, panel_version text, api_generation text, inbound_protocol text,
        has_check boolean, is_ok boolean, cpu_percent double precision, mem_used_bytes bigint, mem_total_bytes bigint, online_clients int,
        event_kind text, event_severity event_severity, event_message text, event_message_ref jsonb, event_data jsonb)
    ),
    locked AS (
      SELECT n.id FROM nodes n WHERE n.id IN (SELECT id FROM input) AND n.check_lease_owner = ${owner} ORDER BY n.id FOR NO KEY UPDATE
    ),
    updated AS (
      UPDATE nodes n SET
        health_state = x.health_state,
        consecutive_successes = x.consecutive_successes,
        consecutive_failures = x.consecutive_failures,
        failing_since = x.failing_since,
        health_changed_at = CASE WHEN x.is_transition THEN x.checked_at ELSE n.health_changed_at END,
        last_check_at = x.checked_at,
        last_latency_ms = x.latency_ms,
        last_error = x.error,
        last_error_ref = x.error_ref,
        xray_state = COALESCE(x.xray_state, n.xray_state),
        xray_version = CASE WHEN x.xray_state IS NULL THEN n.xray_version ELSE x.xray_version END,
        panel_version = COALESCE(x.panel_version, n.panel_version),
        api_generation = COALESCE(x.api_generation, n.api_generation),
        inbound_protocol = COALESCE(x.inbound_protocol, n.inbound_protocol),
        failover_hold_released_at = CASE WHEN x.health_state = 'healthy' THEN NULL ELSE n.failover_hold_released_at END,
        check_lease_owner = NULL,
        check_lease_until = NULL
      FROM input x
      WHERE n.id = x.id AND n.check_lease_owner = ${owner} AND (SELECT count(*) FROM locked) >= 0
      RETURNING n.id
    ),
    checks AS (
      INSERT INTO health_checks (node_id, checked_at, is_ok, latency_ms, error, error_ref, cpu_percent, mem_used_bytes, mem_total_bytes, xray_state, online_clients)
      SELECT x.id, x.checked_at, x.is_ok, x.latency_ms, x.error, x.error_ref, x.cpu_percent, x.mem_used_bytes, x.mem_total_bytes, x.xray_state, x.online_clients
      FROM input x JOIN updated u ON u.id = x.id
      WHERE x.has_check
    ),
    alerts AS (
      INSERT INTO events (kind, severity, node_id, message, message_ref, data)
      SELECT x.event_kind, x.event_severity, x.id, x.event_message, x.event_message_ref, x.event_data
      FROM input x JOIN updated u ON u.id = x.id
      WHERE x.event_kind IS NOT NULL
    )
    SELECT id FROM updated`);
  return new Set(rowsOf<{ id: string }>(written).map((r) => r.id));
}
