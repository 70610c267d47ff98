/**
 * npm run nodes:import -- nodes.yaml [--save-disabled]
 *
 * Creates or updates nodes by name from a YAML file (see server/services/nodes/import-nodes.ts),
 * all or nothing; every new or changed connection is tested first, and a failed test refuses the
 * file unless --save-disabled saves those nodes switched off. Opens the database the way the app
 * does: DATABASE_URL, or the embedded database in DATA_DIR — which it refuses to open while the app
 * holds that folder.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { nodeDeps } from "@/server/composition/service-deps";
import { cliActor } from "@/server/services/actor";
import { importNodes } from "@/server/services/nodes/import-nodes";
import { runWithApp } from "./lib/run-cli";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { "save-disabled": { type: "boolean" } } });
  const file = positionals[0];
  if (!file) {
    console.error("usage: npm run nodes:import -- <nodes.yaml> [--save-disabled]");
    return 2;
  }
  let yaml: string;
  try {
    yaml = readFileSync(file, "utf8");
  } catch (e) {
    console.error(`cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  return runWithApp({ maxConnections: 2 }, async (app) => {
    const result = await importNodes(nodeDeps(app), cliActor("nodes:import"), { yaml, saveDisabled: values["save-disabled"] });
    for (const name of result.created) console.log(`created    ${name}`);
    for (const { name, fields } of result.updated) console.log(`updated    ${name}: ${fields.join(", ")}`);
    for (const name of result.unchanged) console.log(`unchanged  ${name}`);
    for (const name of result.disabled) console.log(`disabled   ${name}: its connection test failed; enable it once the panel answers`);
    console.log(`${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged`);
    return 0;
  });
}

process.exitCode = await main();
