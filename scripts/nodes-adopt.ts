/**
 * npm run nodes:adopt -- --node NAME --rule tgId|email-regex=REGEX|csv=FILE [--max-users N] [--apply]
 *
 * Brings the existing clients of a node's inbound under management without changing a key
 * (server/services/adoption). A dry run unless --apply: it prints who maps to which Telegram id,
 * who does not and why, and whether the node has room. --apply adopts all of them or none, and
 * --max-users raises the node's limit in the same step when they would not fit. Opens the database
 * the way the app does (DATABASE_URL, or the embedded one in DATA_DIR while the app is stopped).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { adoptionDeps } from "@/server/composition/service-deps";
import { cliActor } from "@/server/services/actor";
import type { AdoptionRule } from "@/server/services/adoption/adoption-rule";
import { applyAdoption } from "@/server/services/adoption/apply-adoption";
import { previewAdoption, type AdoptionItem, type AdoptionPlan } from "@/server/services/adoption/preview-adoption";
import { findNodeIdByName } from "@/server/services/nodes/list-nodes";
import { runWithApp } from "./lib/run-cli";

const USAGE = "usage: npm run nodes:adopt -- --node NAME --rule tgId|email-regex=REGEX|csv=FILE [--max-users N] [--apply]";

/** The rule as written on the command line; a CSV is read here so the service gets its text. */
function parseRule(text: string): AdoptionRule | string {
  if (text === "tgId") return { kind: "tgId" };
  if (text.startsWith("email-regex=")) return { kind: "emailRegex", pattern: text.slice("email-regex=".length) };
  if (text.startsWith("csv=")) {
    const file = text.slice("csv=".length);
    try {
      return { kind: "csv", csv: readFileSync(file, "utf8") };
    } catch (e) {
      return `cannot read ${file}: ${(e as Error).message}`;
    }
  }
  return `unknown rule ${JSON.stringify(text)}: use tgId, email-regex=REGEX or csv=FILE`;
}

function describeItem(item: AdoptionItem): string {
  const id = item.telegramId === null ? "—" : String(item.telegramId);
  const why =
    item.outcome === "duplicate"
      ? `same Telegram id as ${item.sameIdAs?.join(", ")}`
      : item.outcome === "has_key"
        ? `this Telegram id already has a key on ${item.keyOn ?? "a removed node"}`
        : item.outcome === "unmappable"
          ? "the rule finds no Telegram id"
          : item.outcome === "no_secret"
            ? "no UUID or password on the panel"
            : [item.isExistingUser ? "existing user, keeps their plan" : "", item.isDisabled ? "switched off on the panel, adopted switched off" : ""].filter(Boolean).join("; ");
  return `${item.outcome.padEnd(10)} ${item.email.padEnd(32)} ${id.padEnd(16)} ${why}`.trimEnd();
}

function printPlan(plan: AdoptionPlan): void {
  for (const item of plan.items) console.log(describeItem(item));
  const c = plan.counts;
  console.log(
    `${plan.node.name} inbound ${plan.node.inboundId}: ${plan.clients.total} clients, ${plan.clients.managed} already managed, ${plan.clients.unmanaged} not; ` +
      `rule ${plan.rule}: ${c.adopt} to adopt, ${c.unmappable} unmappable, ${c.duplicate} with a shared Telegram id, ${c.has_key} whose user has a key, ${c.no_secret} without a secret`,
  );
  console.log(`room: ${plan.capacity.free} free of ${plan.node.maxUsers}, ${plan.capacity.needed} needed${plan.capacity.fits ? "" : " — does not fit: raise it with --max-users"}`);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ options: { node: { type: "string" }, rule: { type: "string" }, "max-users": { type: "string" }, apply: { type: "boolean" } } }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.node || !values.rule) {
    console.error(USAGE);
    return 2;
  }
  const rule = parseRule(values.rule);
  if (typeof rule === "string") {
    console.error(rule);
    return 2;
  }
  const maxUsers = values["max-users"] === undefined ? undefined : Number(values["max-users"]);
  if (maxUsers !== undefined && !Number.isInteger(maxUsers)) {
    console.error(`--max-users must be a whole number, got ${JSON.stringify(values["max-users"])}`);
    return 2;
  }
  return runWithApp({ maxConnections: 4 }, async (app) => {
    const nodeId = await findNodeIdByName(app.db, values.node!);
    if (!nodeId) {
      console.error(`no node named ${JSON.stringify(values.node)}`);
      return 1;
    }
    const deps = adoptionDeps(app);
    if (!values.apply) {
      printPlan(await previewAdoption(deps, { nodeId, rule }));
      console.log("dry run: nothing changed; add --apply to adopt");
      return 0;
    }
    const report = await applyAdoption(deps, cliActor("nodes:adopt"), { nodeId, rule, maxUsers });
    printPlan(report.plan);
    const raised = report.maxUsers.after !== report.maxUsers.before ? `; max users ${report.maxUsers.before} → ${report.maxUsers.after}` : "";
    console.log(`adopted ${report.adopted}${raised}`);
    return 0;
  });
}

process.exitCode = await main();
