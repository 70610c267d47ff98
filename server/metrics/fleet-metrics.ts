/**
 * The per-replica half of GET /api/metrics: counters and histograms this process adds to as things
 * happen (checks, keys, moves, cron runs, panel errors, webhook attempts, refusals), plus the
 * Node.js process metrics. Every series carries `instance` (INSTANCE_ID, else hostname:pid), so two
 * replicas never report the same series and a restart starts new ones; dashboards sum over it.
 * What describes the fleet itself (health, users, capacity, backlogs) is read from the database at
 * scrape time instead (fleet-state-gauges.ts), so every replica reports the same values.
 *
 * One instance per process, built in the composition root and handed to services in their deps;
 * tests build a fresh one. Services call the methods below, one line per event, and never see
 * prom-client. Labels are per node (id and name) or fixed enums — never per user.
 */
import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";

// The services report to this module, so it imports none of them (a cycle): the shapes it reads are its own.
export type NodeLabel = { id: string; name: string };
export type MoveReason = "failover" | "drain" | "rebalance" | "manual";
/** A move's result as migrate-item reports it. */
export type MoveResult = { status: "succeeded" | "failed" | "skipped"; isUnplaced?: boolean };
export type SweepResult = { transitions: { nodeId: string; name: string; to: string }[]; skipped: number; inconclusive: boolean };
export type CronRun = { trigger: string; durationMs: number; steps: { name: string; status: "ok" | "failed" | "skipped"; durationMs: number }[] };

export type MoveOutcome = "moved" | "failed" | "skipped" | "unplaced";
const MOVE_REASONS: MoveReason[] = ["failover", "drain", "rebalance", "manual"];
const MOVE_OUTCOMES: MoveOutcome[] = ["moved", "failed", "skipped", "unplaced"];
/** Limiters whose refusals are counted: the rate-limit scopes (server/services/rate-limits); a new scope adds its name here. */
export const RATE_LIMITERS = ["bot", "new-key", "sub-token", "sub-address", "sign-in-address", "sign-in-account-address"] as const;
export type RateLimiter = (typeof RATE_LIMITERS)[number];
const CRON_TRIGGERS = ["http", "internal"];
const DELIVERY_OUTCOMES = ["delivered", "retrying", "failed"] as const;
const CHANNELS = ["webhook", "telegram"];

export type FleetMetrics = {
  /** The text exposition of this replica's series. */
  render(): Promise<string>;
  readonly contentType: string;
  healthCheck(node: NodeLabel, outcome: string, latencyMs: number | null): void;
  healthSweep(summary: SweepResult): void;
  /** A new client on a node: for a user without a servable key (issued), or on request (refreshed). */
  keyPlaced(kind: "issued" | "refreshed", node: NodeLabel): void;
  /** `node`: where the revoked key's client was; null when that node has been removed since. */
  keyRevoked(node: NodeLabel | null): void;
  userMoved(reason: MoveReason, result: MoveResult): void;
  cronRun(run: CronRun, budgetMs: number): void;
  panelCall(node: NodeLabel, errorKind: string | null): void;
  webhookAttempt(channel: string, outcome: (typeof DELIVERY_OUTCOMES)[number]): void;
  rateLimitRefused(limiter: RateLimiter): void;
};

/** Seconds. A panel's status answers in tens of milliseconds; the check timeout is 5 s by default. */
const CHECK_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds. A cron run's budget is 25 s by default; a step may take anything below it. */
const CRON_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60];

const NODE = ["node_id", "node"] as const;
const nodeLabels = (node: NodeLabel) => ({ node_id: node.id, node: node.name });

export function createFleetMetrics(options: { instance: string }): FleetMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ instance: options.instance });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const checks = new Counter({ name: "fleet_health_checks_total", help: "Health checks run by this replica, by node and outcome (ok, xray_down, unreachable, auth, misconfigured, inconclusive).", labelNames: [...NODE, "outcome"], registers });
  const checkLatency = new Histogram({ name: "fleet_health_check_duration_seconds", help: "Time a node's panel took to answer its server status in a health check.", labelNames: NODE, buckets: CHECK_BUCKETS, registers });
  const transitions = new Counter({ name: "fleet_node_health_transitions_total", help: "Health state changes recorded by this replica's sweeps, by node and new state.", labelNames: [...NODE, "to"], registers });
  const deferred = new Counter({ name: "fleet_health_nodes_deferred_total", help: "Due nodes a sweep left for the next ping because its time budget ran out.", registers });
  const holds = new Counter({ name: "fleet_failover_holds_total", help: "Sweeps in which the blast-radius guard held failover (too many nodes failed at once).", registers });
  const keys = {
    issued: new Counter({ name: "fleet_keys_issued_total", help: "Keys created for users without a servable one, by node.", labelNames: NODE, registers }),
    refreshed: new Counter({ name: "fleet_keys_refreshed_total", help: "Keys rotated on request, by the node of the new key.", labelNames: NODE, registers }),
    revoked: new Counter({ name: "fleet_keys_revoked_total", help: "Keys revoked (by the bot or an admin), by the node the key was on (empty labels: a node removed since).", labelNames: NODE, registers }),
  };
  const moves = new Counter({ name: "fleet_user_moves_total", help: "Users moved between nodes (or not), by reason and outcome.", labelNames: ["reason", "outcome"], registers });
  const cronRuns = new Histogram({ name: "fleet_cron_run_duration_seconds", help: "Duration of a whole cron run, by trigger (http, internal).", labelNames: ["trigger"], buckets: CRON_BUCKETS, registers });
  const cronSteps = new Histogram({ name: "fleet_cron_step_duration_seconds", help: "Duration of a cron step, by step and status.", labelNames: ["step", "status"], buckets: CRON_BUCKETS, registers });
  const overruns = new Counter({ name: "fleet_cron_budget_overruns_total", help: "Cron runs that took longer than CRON_BUDGET_MS or skipped a step for lack of budget.", labelNames: ["trigger"], registers });
  const panelCalls = new Counter({ name: "fleet_panel_calls_total", help: "Calls to a node's 3X-UI panel API, by node.", labelNames: NODE, registers });
  const panelErrors = new Counter({ name: "fleet_panel_call_errors_total", help: "Failed panel calls by node and kind (auth, not_found, duplicate, unreachable, timeout, not_ready, protocol).", labelNames: [...NODE, "kind"], registers });
  const webhooks = new Counter({ name: "fleet_webhook_delivery_attempts_total", help: "Notification delivery attempts by channel (webhook, telegram) and outcome (delivered, retrying, failed).", labelNames: ["channel", "outcome"], registers });
  const refusals = new Counter({ name: "fleet_rate_limit_refusals_total", help: "Requests refused by a rate limit, by limiter.", labelNames: ["limiter"], registers });

  // Known label sets start at 0, so a rate is defined before the first event and absence means "not exported".
  for (const reason of MOVE_REASONS) for (const outcome of MOVE_OUTCOMES) moves.inc({ reason, outcome }, 0);
  for (const trigger of CRON_TRIGGERS) overruns.inc({ trigger }, 0);
  for (const channel of CHANNELS) for (const outcome of DELIVERY_OUTCOMES) webhooks.inc({ channel, outcome }, 0);
  for (const limiter of RATE_LIMITERS) refusals.inc({ limiter }, 0);

  return {
    render: () => registry.metrics(),
    contentType: registry.contentType,
    healthCheck(node, outcome, latencyMs) {
      checks.inc({ ...nodeLabels(node), outcome });
      if (latencyMs !== null) checkLatency.observe(nodeLabels(node), latencyMs / 1000);
    },
    healthSweep(summary) {
      for (const t of summary.transitions) transitions.inc({ node_id: t.nodeId, node: t.name, to: t.to });
      if (summary.skipped > 0) deferred.inc(summary.skipped);
      if (summary.inconclusive) holds.inc();
    },
    keyPlaced(kind, node) {
      keys[kind].inc(nodeLabels(node));
    },
    keyRevoked(node) {
      keys.revoked.inc(nodeLabels(node ?? { id: "", name: "" }));
    },
    userMoved(reason, result) {
      const outcome: MoveOutcome = result.status === "succeeded" ? "moved" : result.status === "failed" ? "failed" : result.isUnplaced ? "unplaced" : "skipped";
      moves.inc({ reason, outcome });
    },
    cronRun(run, budgetMs) {
      cronRuns.observe({ trigger: run.trigger }, run.durationMs / 1000);
      for (const step of run.steps) {
        if (step.status !== "skipped") cronSteps.observe({ step: step.name, status: step.status }, step.durationMs / 1000);
      }
      if (run.durationMs > budgetMs || run.steps.some((s) => s.status === "skipped")) overruns.inc({ trigger: run.trigger });
    },
    panelCall(node, errorKind) {
      panelCalls.inc(nodeLabels(node));
      if (errorKind) panelErrors.inc({ ...nodeLabels(node), kind: errorKind });
    },
    webhookAttempt(channel, outcome) {
      webhooks.inc({ channel, outcome });
    },
    rateLimitRefused(limiter) {
      refusals.inc({ limiter });
    },
  };
}
