/**
 * Test support: parses a Prometheus text exposition with the official Python client's parser
 * (prometheus_client: Debian's python3-prometheus-client, installed by .ci/run, for /usr/bin/python3;
 * PROMETHEUS_PYTHON names another interpreter that has it), then checks what a
 * parser lets through but Prometheus conventions do not: metric and label names, a declared TYPE
 * for every family, one block per family, and for our own `fleet_*` families `_total` on counters
 * and nowhere else (prom-client's `nodejs_active_resources_total` is a gauge).
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export type Sample = { name: string; labels: Record<string, string>; value: number };
/** `name` as exposed: a counter keeps its `_total`. */
export type Family = { name: string; type: string; help: string; samples: Sample[] };

const PARSER = fileURLToPath(new URL("./parse-exposition.py", import.meta.url));
// Debian's package installs for the system interpreter, which a pyenv or venv `python3` on PATH may hide.
const PYTHON = process.env.PROMETHEUS_PYTHON ?? "/usr/bin/python3";
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

type Parsed = { name: string; type: string; help: string; samples: { name: string; labels: Record<string, string>; value: number | string }[] };

const numberOf = (value: number | string) => (typeof value === "number" ? value : value === "NaN" ? NaN : value === "+Inf" ? Infinity : -Infinity);

export function parseExposition(text: string): Map<string, Family> {
  const parsed = JSON.parse(execFileSync(PYTHON, [PARSER], { input: text, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 })) as Parsed[];
  const families = new Map<string, Family>();
  for (const family of parsed) {
    const name = family.type === "counter" ? `${family.name}_total` : family.name;
    if (!METRIC_NAME.test(name)) throw new Error(`bad metric name ${name}`);
    if (family.type === "unknown" || family.type === "untyped") throw new Error(`${name} has no TYPE line`);
    if (name.startsWith("fleet_") && family.type !== "counter" && name.endsWith("_total")) throw new Error(`${name} ends in _total but is a ${family.type}`);
    if (families.has(name)) throw new Error(`${name} is exposed in two blocks`);
    const samples = family.samples.map((s) => {
      for (const label of Object.keys(s.labels)) if (!LABEL_NAME.test(label)) throw new Error(`${name}: bad label name ${label}`);
      return { name: s.name, labels: s.labels, value: numberOf(s.value) };
    });
    families.set(name, { name, type: family.type, help: family.help, samples });
  }
  return families;
}

/** The value of the one series named `series` (a family's name, or a histogram's `_count`, `_sum`, `_bucket`) whose labels include `labels`. */
export function sampleValue(families: Map<string, Family>, series: string, labels: Record<string, string> = {}): number {
  const matches = [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === series && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length !== 1) throw new Error(`${series}${JSON.stringify(labels)}: ${matches.length} samples`);
  return matches[0]!.value;
}

/** The sum of every series named `series` whose labels include `labels`. */
export function sumOf(families: Map<string, Family>, series: string, labels: Record<string, string> = {}): number {
  return [...families.values()].flatMap((f) => f.samples).filter((s) => s.name === series && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}
