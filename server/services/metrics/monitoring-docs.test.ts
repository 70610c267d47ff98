/**
 * docs/prometheus-alerts.yml and docs/grafana-dashboard.json against what GET /api/metrics really
 * exports: every PromQL expression parses (Prometheus's own grammar, @prometheus-io/lezer-promql)
 * and names only metrics the app exposes, the alerts the operator guide promises exist, and the
 * dashboard has what an import needs.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parser } from "@prometheus-io/lezer-promql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { metricsDeps } from "@/server/composition/service-deps";
import { parseExposition } from "@/server/testing/prometheus-text";
import { createTestAppContext } from "@/server/testing/test-app-context";
import { createTestDatabase, type TestDatabase } from "@/server/testing/test-db";
import { renderMetrics } from "./render-metrics";

const docs = (file: string) => readFileSync(path.join(process.cwd(), "docs", file), "utf8");
/** Prometheus's own series, which no exporter exposes. */
const PROMETHEUS_SERIES = new Set(["up"]);

let test: TestDatabase;
let exported: Set<string>;

beforeAll(async () => {
  test = await createTestDatabase();
  const families = parseExposition(await renderMetrics(metricsDeps(createTestAppContext(test.db))));
  exported = new Set(
    [...families.values()].flatMap((f) => (f.type === "histogram" ? [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`] : [f.name])),
  );
});
afterAll(async () => test.close());

/** The metric names an expression selects; throws when it does not parse or selects by something else than a name. */
function metricNames(expr: string): string[] {
  // Grafana fills these in before a query reaches Prometheus.
  const promql = expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m");
  const tree = parser.parse(promql);
  const names: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) throw new Error(`does not parse at ${node.from}: ${promql}`);
      if (node.name !== "VectorSelector") return;
      const identifier = node.node.getChild("Identifier");
      if (!identifier) throw new Error(`selects no metric by name: ${promql.slice(node.from, node.to)}`);
      names.push(promql.slice(identifier.from, identifier.to));
    },
  });
  if (names.length === 0) throw new Error(`names no metric: ${promql}`);
  return names;
}

function unknownMetrics(exprs: string[]): string[] {
  return [...new Set(exprs.flatMap(metricNames))].filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name));
}

type Rule = { alert: string; expr: string; for?: string; labels?: { severity?: string }; annotations?: { summary?: string } };

describe("docs/prometheus-alerts.yml", () => {
  const rules = (parseYaml(docs("prometheus-alerts.yml")) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

  it("has the alerts the guide promises, each with a severity and a summary", () => {
    expect(rules.map((r) => r.alert)).toEqual(expect.arrayContaining(["FleetNodeDown", "FleetFailoverHeld", "FleetNodeCapacityHigh", "FleetNoHealthSweep", "FleetWebhookBacklog"]));
    for (const rule of rules) {
      expect(["critical", "warning"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
    expect(rules.find((r) => r.alert === "FleetNodeCapacityHigh")!.expr).toContain("> 0.85");
    expect(rules.find((r) => r.alert === "FleetNoHealthSweep")!.expr).toContain("3 * max(fleet_health_interval_seconds)");
  });

  it("names only metrics the app exports, in expressions that parse", () => {
    expect(unknownMetrics(rules.map((r) => r.expr))).toEqual([]);
  });
});

type Target = { expr?: string; refId: string };
type Panel = { id: number; type: string; title: string; datasource?: { uid?: string }; targets?: Target[]; panels?: Panel[]; gridPos: { x: number; y: number; w: number; h: number } };
type Dashboard = { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: { name: string; type: string; query?: string | { query: string } }[] } };

describe("docs/grafana-dashboard.json", () => {
  const dashboard = JSON.parse(docs("grafana-dashboard.json")) as Dashboard;
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  const queries = panels.filter((p) => p.type !== "row");
  const exprs = queries.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ""));

  it("imports: a uid, unique panel ids on a 24-column grid, every query on the chosen Prometheus data source", () => {
    expect(dashboard.uid).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    for (const panel of panels) expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
    expect(dashboard.templating.list.find((v) => v.name === "datasource")).toMatchObject({ type: "datasource", query: "prometheus" });
    for (const panel of queries) {
      expect(panel.datasource?.uid, panel.title).toBe("${datasource}");
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it("shows the fleet: health, per-node latency, capacity, keys, failover, cron, webhooks", () => {
    const uses = (metric: string) => exprs.some((e) => metricNames(e).includes(metric));
    for (const metric of ["fleet_node_health_state", "fleet_health_check_duration_seconds_bucket", "fleet_node_users", "fleet_node_max_users", "fleet_keys_issued_total", "fleet_user_moves_total", "fleet_failover_held", "fleet_cron_run_duration_seconds_bucket", "fleet_webhook_deliveries", "fleet_panel_call_errors_total"]) {
      expect(uses(metric), metric).toBe(true);
    }
  });

  it("names only metrics the app exports, in queries that parse, and variables from an exported metric", () => {
    expect(unknownMetrics(exprs)).toEqual([]);
    const variables = dashboard.templating.list.filter((v) => v.type === "query").map((v) => (typeof v.query === "string" ? v.query : v.query?.query ?? ""));
    for (const query of variables) {
      const match = /^label_values\((\w+),\s*(\w+)\)$/.exec(query);
      expect(match, query).not.toBeNull();
      expect(exported.has(match![1]!), query).toBe(true);
    }
  });
});
