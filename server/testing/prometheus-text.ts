/**
 * Test support: parses a Prometheus text exposition with a maintained parser (a port of the
 * official Python client's), then checks what that parser lets through: metric and label names,
 * numeric values, a declared TYPE for every family, `_total` on counters. Returns the families by
 * name with their samples flattened (a histogram's `_bucket`/`_sum`/`_count` lines under its name).
 */
import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";

export type Sample = { labels: Record<string, string>; value: number };
export type Family = { name: string; type: MetricFamily["type"]; help: string; samples: Sample[] };

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// As Prometheus reads them (Go's ParseFloat): decimal or exponent floats, and NaN/Inf in any case.
function number(text: string, where: string): number {
  const special = text.toLowerCase();
  if (special === "nan") return NaN;
  if (special === "+inf" || special === "inf") return Infinity;
  if (special === "-inf") return -Infinity;
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) throw new Error(`${where}: "${text}" is not a number`);
  return value;
}

export function parseExposition(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  for (const family of parsePrometheusTextFormat(text)) {
    if (!METRIC_NAME.test(family.name)) throw new Error(`bad metric name ${family.name}`);
    if (family.type === "UNTYPED") throw new Error(`${family.name} has no TYPE line`);
    if (family.type === "COUNTER" && !family.name.endsWith("_total")) throw new Error(`counter ${family.name} does not end in _total`);
    if (families.has(family.name)) throw new Error(`${family.name} is exposed twice`);
    const samples: Sample[] = [];
    for (const metric of family.metrics) {
      const labels = metric.labels ?? {};
      for (const name of Object.keys(labels)) if (!LABEL_NAME.test(name)) throw new Error(`${family.name}: bad label name ${name}`);
      if ("value" in metric) samples.push({ labels, value: number(metric.value, family.name) });
      else {
        const series = "buckets" in metric ? metric.buckets : metric.quantiles;
        for (const [bound, count] of Object.entries(series)) samples.push({ labels: { ...labels, le: bound }, value: number(count, family.name) });
        samples.push({ labels: { ...labels, stat: "sum" }, value: number(metric.sum, family.name) });
        samples.push({ labels: { ...labels, stat: "count" }, value: number(metric.count, family.name) });
      }
    }
    families.set(family.name, { name: family.name, type: family.type, help: family.help, samples });
  }
  return families;
}

/** The value of the one sample of `name` whose labels include `labels`; throws when there is not exactly one. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const matches = (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${matches.length} samples`);
  return matches[0]!.value;
}
