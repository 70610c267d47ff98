/**
 * The body of GET /api/metrics (Prometheus text format 0.0.4): this replica's counters and
 * histograms (server/metrics/fleet-metrics.ts, labelled with `instance`) followed by the fleet's
 * gauges, built from the database on every scrape (read-fleet-state.ts) and carrying no
 * `instance` label of their own, so every replica reports the same values.
 *
 * When the database does not answer within FLEET_STATE_TIMEOUT_MS the scrape still succeeds with
 * this replica's series and `fleet_database_up 0`: an exporter that goes dark with its database
 * hides the very counters that explain why.
 */
import { Counter, Gauge, Registry } from "prom-client";
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import { logger } from "@/server/logger";
import { nodeAdminState, nodeHealthState } from "@/server/db/schema";
import { withDeadline } from "../deadline";
import { readFleetState, type FleetState, type FleetStateDeps } from "./read-fleet-state";

export type RenderMetricsDeps = FleetStateDeps & { metrics: FleetMetrics };

const FLEET_STATE_TIMEOUT_MS = 3_000;
const OPEN_STATUSES = new Set(["pending", "running"]);
const CHANNELS = ["webhook", "telegram"];

const seconds = (date: Date | null) => (date ? date.getTime() / 1000 : 0);

function fleetRegistry(state: FleetState | null, readSeconds: number): Registry {
  const registry = new Registry();
  const registers = [registry];
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });

  gauge("fleet_database_up", "1 when this scrape read the fleet's state from the database, 0 when the database did not answer.").set(state ? 1 : 0);
  gauge("fleet_scrape_fleet_state_duration_seconds", "Time this scrape spent reading the fleet's state from the database.").set(readSeconds);
  if (!state) return registry;

  const NODE = ["node_id", "node"];
  const info = gauge("fleet_node_info", "One series per node with its descriptive labels; always 1.", [...NODE, "location", "panel_version"]);
  const health = gauge("fleet_node_health_state", "1 for the node's current health state, 0 for the others.", [...NODE, "state"]);
  const admin = gauge("fleet_node_admin_state", "1 for the node's current admin state (active, draining, disabled), 0 for the others.", [...NODE, "state"]);
  const users = gauge("fleet_node_users", "Users with a live key (pending or active) on the node.", NODE);
  const maxUsers = gauge("fleet_node_max_users", "The node's capacity: most users it may hold.", NODE);
  const lastCheck = gauge("fleet_node_last_check_timestamp_seconds", "Unix time of the node's last recorded health check; 0 if never checked.", NODE);
  for (const node of state.nodes) {
    const labels = { node_id: node.id, node: node.name };
    info.set({ ...labels, location: node.location ?? "", panel_version: node.panelVersion ?? "" }, 1);
    for (const s of nodeHealthState.enumValues) health.set({ ...labels, state: s }, s === node.healthState ? 1 : 0);
    for (const s of nodeAdminState.enumValues) admin.set({ ...labels, state: s }, s === node.adminState ? 1 : 0);
    users.set(labels, node.users);
    maxUsers.set(labels, node.maxUsers);
    lastCheck.set(labels, seconds(node.lastCheckAt));
  }

  const finished = new Counter({ name: "fleet_operations_finished_total", help: "Finished operations (failover, drain, rebalance, migration, reconcile) by kind and outcome, from the database.", labelNames: ["kind", "status"], registers });
  const open = gauge("fleet_operations_open", "Operations pending or running, by kind and status.", ["kind", "status"]);
  for (const row of state.operations) {
    if (OPEN_STATUSES.has(row.status)) open.set({ kind: row.kind, status: row.status }, row.count);
    else finished.inc({ kind: row.kind, status: row.status }, row.count);
  }

  const deliveries = gauge("fleet_webhook_deliveries", "Outbox notifications waiting for delivery (pending) or given up after every retry (failed), by channel.", ["channel", "status"]);
  const oldest = gauge("fleet_webhook_oldest_pending_timestamp_seconds", "Unix time the oldest pending notification was queued; 0 when none is pending.", ["channel"]);
  for (const channel of CHANNELS) {
    const of = (status: string) => state.deliveries.find((d) => d.channel === channel && d.status === status);
    deliveries.set({ channel, status: "pending" }, of("pending")?.count ?? 0);
    deliveries.set({ channel, status: "failed" }, of("failed")?.count ?? 0);
    oldest.set({ channel }, seconds(of("pending")?.oldestAt ?? null));
  }

  gauge("fleet_health_last_sweep_timestamp_seconds", "Unix time the newest cron run (health sweep) started; 0 if none ever ran.").set(seconds(state.lastSweepAt));
  gauge("fleet_health_interval_seconds", "How often each node is due for a health check (Settings, else HEALTH_INTERVAL_SECONDS).").set(state.healthIntervalSeconds);
  gauge("fleet_failover_held", "1 while automatic failover is on hold (a recent failover.held alert, or too many nodes down at once).").set(state.isFailoverHeld ? 1 : 0);
  gauge("fleet_failover_last_held_timestamp_seconds", "Unix time of the newest failover.held alert; 0 if never.").set(seconds(state.lastHoldAt));
  return registry;
}

async function readWithin(deps: FleetStateDeps): Promise<FleetState | null> {
  try {
    return await withDeadline(readFleetState(deps), FLEET_STATE_TIMEOUT_MS);
  } catch (error) {
    logger.warn("metrics: fleet state unavailable", { error });
    return null;
  }
}

export async function renderMetrics(deps: RenderMetricsDeps): Promise<string> {
  const started = performance.now();
  const state = await readWithin(deps);
  const fleet = fleetRegistry(state, (performance.now() - started) / 1000);
  return (await deps.metrics.render()) + (await fleet.metrics());
}
