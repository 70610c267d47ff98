/**
 * npm run nodes:import -- nodes.yaml
 *
 * Creates or updates nodes by name from a YAML file (see server/services/nodes/import-nodes.ts),
 * all or nothing. Opens the database the way the app does: DATABASE_URL, or the embedded database
 * in DATA_DIR — which it refuses to open while the app holds that folder.
 */
import { readFileSync } from "node:fs";
import { openAppContext } from "@/server/composition/app-context";
import { nodeDeps } from "@/server/composition/service-deps";
import { DataDirLockedError } from "@/server/db/data-dir-lock";
import { AppError } from "@/server/errors";
import { cliActor } from "@/server/services/actor";
import { importNodes } from "@/server/services/nodes/import-nodes";

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file) {
    console.error("usage: npm run nodes:import -- <nodes.yaml>");
    return 2;
  }
  let yaml: string;
  try {
    yaml = readFileSync(file, "utf8");
  } catch (e) {
    console.error(`cannot read ${file}: ${(e as Error).message}`);
    return 2;
  }
  let opened: Awaited<ReturnType<typeof openAppContext>>;
  try {
    opened = await openAppContext({ maxConnections: 2 });
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      console.error(e.message);
      return 1;
    }
    throw e;
  }
  try {
    const result = await importNodes(nodeDeps(opened.app), cliActor("nodes:import"), { yaml });
    for (const name of result.created) console.log(`created    ${name}`);
    for (const { name, fields } of result.updated) console.log(`updated    ${name}: ${fields.join(", ")}`);
    for (const name of result.unchanged) console.log(`unchanged  ${name}`);
    console.log(`${result.created.length} created, ${result.updated.length} updated, ${result.unchanged.length} unchanged`);
    return 0;
  } catch (e) {
    if (e instanceof AppError) {
      console.error(e.message);
      for (const [field, message] of Object.entries(e.fields ?? {})) console.error(`  ${field}: ${message}`);
      return 1;
    }
    throw e;
  } finally {
    await opened.close();
  }
}

process.exitCode = await main();
