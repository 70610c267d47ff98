/**
 * `npm run nodes:import -- nodes.yaml`: creates or updates nodes by name from the seed's YAML
 * format. The whole file is validated first (every problem reported as `nodes[i].field`, in the
 * file's own field names), the connection of every new node and every changed connection is
 * tested as the form does, and the file is applied in one transaction: an invalid entry, a repeated
 * panel inbound or a failed test changes nothing — unless `saveDisabled`, which saves the nodes
 * whose test failed switched off. Fields an entry leaves out keep their stored value on update,
 * like blank credentials in the form.
 */
import { eq } from "drizzle-orm";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { nodes } from "@/server/db/schema";
import { AppError, badRequest, fieldErrorsFromZod, type FieldErrors } from "@/server/errors";
import { ref } from "@/server/messages";
import type { AuditActor } from "../actor";
import { crossFieldProblems, createNodeInputSchema, newNodeConfig, updateNodeInputSchema, type NodeConfig } from "./node-input";
import { readPanelSecret, type PanelSecret } from "./panel-for-node";
import { insertNode, panelAddressProblems, reentryProblem, settledSecret, writeNodeUpdate, type NodeServiceDeps } from "./save-node";
import { connectionFailedError, isConnectionVerified, panelTargetOf, probePanel } from "./test-connection";
import { changesConnection, mergeNodeConfig } from "./update-node";

/** Connection tests run at once during an import. */
const IMPORT_TEST_CONCURRENCY = 8;

/** The seed's field names, and the node fields they fill. */
const YAML_FIELDS = {
  name: "name",
  location: "location",
  x3ui_url: "panelUrl",
  x3ui_username: "panelUsername",
  x3ui_password: "panelPassword",
  x3ui_token: "panelApiToken",
  inbound_id: "inboundId",
  public_host: "publicHost",
  priority: "priority",
  weight: "weight",
  max_users: "maxUsers",
  standby_max_users: "standbyMaxUsers",
} as const;
type YamlField = keyof typeof YAML_FIELDS;
const FIELD_TO_YAML = Object.fromEntries(Object.entries(YAML_FIELDS).map(([y, f]) => [f, y])) as Record<string, YamlField>;

export type ImportNodesResult = {
  created: string[];
  updated: { name: string; fields: string[] }[];
  unchanged: string[];
  /** Saved switched off because their connection test failed (only with `saveDisabled`). */
  disabled: string[];
};

const fileSchema = z.object({ nodes: z.array(z.record(z.string(), z.unknown())).min(1) });

function prefixed(index: number, fields: FieldErrors): FieldErrors {
  return Object.fromEntries(Object.entries(fields).map(([f, message]) => [`nodes[${index}].${FIELD_TO_YAML[f] ?? f}`, message]));
}

/** The entry as node-service input (unknown keys reported), with YAML numbers kept as numbers. */
function toServiceInput(entry: Record<string, unknown>): { input: Record<string, unknown>; problems: FieldErrors } {
  const input: Record<string, unknown> = {};
  const problems: FieldErrors = {};
  for (const [key, value] of Object.entries(entry)) {
    const field = YAML_FIELDS[key as YamlField];
    if (!field) problems[key] = ref("node.field.unknownYamlField", { fields: Object.keys(YAML_FIELDS).join(", ") });
    else input[field] = typeof value === "number" || value === null ? value : String(value);
  }
  return { input, problems };
}

function readFile(yaml: string): Record<string, unknown>[] {
  let document: unknown;
  try {
    document = parseYaml(yaml);
  } catch (e) {
    throw badRequest({ file: ref("validation.yaml", { line: e instanceof YAMLParseError && e.linePos ? e.linePos[0].line : "?" }) });
  }
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) throw badRequest(fieldErrorsFromZod(parsed.error.issues));
  return parsed.data.nodes;
}

type Plan = (
  | { kind: "create"; config: NodeConfig; secret: PanelSecret }
  | { kind: "update"; id: string; update: z.output<typeof updateNodeInputSchema> }
) & {
  /** The connection to test first, when it is new or changed on a serving node. */
  test: { config: NodeConfig; secret: PanelSecret } | null;
  /** Set when the test failed and the import saves such nodes disabled. */
  disable?: boolean;
};

/** Runs `work` over `items`, `limit` at a time. */
async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  }));
}

export async function importNodes(
  deps: NodeServiceDeps,
  actor: AuditActor,
  input: { yaml: string; saveDisabled?: boolean },
): Promise<ImportNodesResult> {
  const refused = ref("error.node.importRefused");
  const entries = readFile(input.yaml);
  const existing = await deps.db.select().from(nodes);
  const byName = new Map(existing.map((n) => [n.name.toLowerCase(), n]));
  const seen = new Map<string, number>();
  let problems: FieldErrors = {};
  const plans: Plan[] = [];

  for (const [index, entry] of entries.entries()) {
    const { input: raw, problems: unknownKeys } = toServiceInput(entry);
    problems = { ...problems, ...prefixed(index, unknownKeys) };
    const name = typeof raw.name === "string" ? raw.name.trim().toLowerCase() : "";
    if (name && seen.has(name)) problems[`nodes[${index}].name`] = ref("node.field.repeatsName", { entry: `nodes[${seen.get(name)}]` });
    seen.set(name, index);
    const current = byName.get(name);
    if (current) {
      const parsed = updateNodeInputSchema.safeParse({ ...raw, id: current.id });
      if (!parsed.success) {
        problems = { ...problems, ...prefixed(index, fieldErrorsFromZod(parsed.error.issues)) };
        continue;
      }
      const config = mergeNodeConfig(current, parsed.data);
      const stored = readPanelSecret(deps.keyRing, current);
      const typed = { password: parsed.data.panelPassword, apiToken: parsed.data.panelApiToken };
      const secret = settledSecret(deps.keyRing, current, config.panelUrl, typed);
      problems = { ...problems, ...prefixed(index, { ...crossFieldProblems(config, secret), ...reentryProblem(deps.keyRing, current, config.panelUrl, typed) }) };
      if (config.panelUrl !== current.panelUrl) problems = { ...problems, ...prefixed(index, await panelAddressProblems(config.panelUrl, deps.addressPolicy)) };
      const isTested = current.adminState !== "disabled" && changesConnection(current, config, typed, stored);
      plans.push({ kind: "update", id: current.id, update: parsed.data, test: isTested ? { config, secret } : null });
    } else {
      const parsed = createNodeInputSchema.safeParse(raw);
      if (!parsed.success) {
        problems = { ...problems, ...prefixed(index, fieldErrorsFromZod(parsed.error.issues)) };
        continue;
      }
      const { config, secret } = newNodeConfig(parsed.data);
      problems = { ...problems, ...prefixed(index, crossFieldProblems(config, secret)) };
      problems = { ...problems, ...prefixed(index, await panelAddressProblems(config.panelUrl, deps.addressPolicy)) };
      plans.push({ kind: "create", config, secret, test: { config, secret } });
    }
  }
  if (Object.keys(problems).length > 0) throw badRequest(problems, refused);

  await eachLimited([...plans.entries()], IMPORT_TEST_CONCURRENCY, async ([index, plan]) => {
    if (!plan.test) return;
    const target = panelTargetOf(plan.test.config, plan.test.secret);
    const connection = await probePanel(deps, target);
    if (isConnectionVerified(connection)) return;
    if (input.saveDisabled) plan.disable = true;
    else problems = { ...problems, ...prefixed(index, connectionFailedError(connection, target).fields ?? {}) };
  });
  if (Object.keys(problems).length > 0) throw new AppError("CONNECTION_FAILED", refused, { fields: problems });

  const result: ImportNodesResult = { created: [], updated: [], unchanged: [], disabled: [] };
  await deps.db.transaction(async (tx) => {
    for (const [index, plan] of plans.entries()) {
      try {
        if (plan.kind === "create") {
          const node = await insertNode(tx, deps.keyRing, actor, plan.config, plan.secret, { disabled: plan.disable });
          result.created.push(node.name);
          if (plan.disable) result.disabled.push(node.name);
        } else {
          const [current] = await tx.select().from(nodes).where(eq(nodes.id, plan.id)).for("update");
          if (!current) throw badRequest({ name: ref("node.field.deletedWhileImporting") });
          const { node, changed } = await writeNodeUpdate(
            tx,
            deps.keyRing,
            actor,
            current,
            mergeNodeConfig(current, plan.update),
            { password: plan.update.panelPassword, apiToken: plan.update.panelApiToken },
            { disable: plan.disable },
          );
          if (changed.length === 0) result.unchanged.push(node.name);
          else result.updated.push({ name: node.name, fields: changed.map((f) => FIELD_TO_YAML[f] ?? f) });
          if (plan.disable) result.disabled.push(node.name);
        }
      } catch (e) {
        if (e instanceof AppError && e.fields) throw badRequest(prefixed(index, e.fields), refused);
        throw e;
      }
    }
  });
  return result;
}
