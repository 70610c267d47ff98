/**
 * The layer rules of `npm run lint` (.dependency-cruiser.mjs), each held to a small tree written
 * for the purpose: a wrong import must fail with that rule's name, the right one must pass.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { cruise, type ICruiseResult } from "dependency-cruiser";
import extractDepcruiseConfig from "dependency-cruiser/config-utl/extract-depcruise-config";
import { afterEach, describe, expect, it } from "vitest";

const config = await extractDepcruiseConfig(path.join(import.meta.dirname, ".dependency-cruiser.mjs"));

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

/** Writes the files (path → source) into a fresh folder and returns the rules each import broke. */
async function violations(files: Record<string, string>): Promise<string[]> {
  const root = mkdtempSync(path.join(tmpdir(), "layers-"));
  dirs.push(root);
  for (const [file, source] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), source);
  }
  const topFolders = [...new Set(Object.keys(files).map((f) => f.split("/")[0]!))];
  const { output } = await cruise(topFolders, {
    baseDir: root,
    validate: true,
    ruleSet: { forbidden: config.forbidden },
    tsPreCompilationDeps: true,
    exclude: config.options?.exclude,
  });
  const result = output as ICruiseResult;
  return [...new Set(result.summary.violations.map((v) => v.rule.name))].sort();
}

const leaf = "export const value = 1;\n";

describe("layer rules", () => {
  it("app/ may call a service but not the database or a panel directly", async () => {
    expect(await violations({ "app/api/x/route.ts": 'import { value } from "../../../server/db/client";\nexport const v = value;\n', "server/db/client.ts": leaf })).toEqual([
      "app-not-db-or-panels",
    ]);
    expect(await violations({ "app/api/x/route.ts": 'import { value } from "../../../server/x3ui/client";\nexport const v = value;\n', "server/x3ui/client.ts": leaf })).toEqual([
      "app-not-db-or-panels",
    ]);
    expect(
      await violations({
        "app/api/x/route.ts": 'import { value } from "../../../server/services/nodes/list-nodes";\nexport const v = value;\n',
        "server/services/nodes/list-nodes.ts": 'import { value } from "../../db/client";\nexport const v = value;\n',
        "server/db/client.ts": leaf,
      }),
    ).toEqual([]);
  });

  it("services import neither HTTP, tRPC, the wiring nor the pages", async () => {
    expect(await violations({ "server/services/keys/a.ts": 'import { value } from "../../http/route";\nexport const v = value;\n', "server/http/route.ts": leaf })).toEqual([
      "services-not-up",
    ]);
    expect(await violations({ "server/services/keys/a.ts": 'import { value } from "../../api/trpc";\nexport const v = value;\n', "server/api/trpc.ts": leaf })).toEqual([
      "services-not-up",
    ]);
    expect(await violations({ "server/services/keys/a.ts": 'import { value } from "../../../app/page";\nexport const v = value;\n', "app/page.ts": leaf })).toEqual([
      "services-not-up",
    ]);
  });

  it("components import nothing from server/, not even a type", async () => {
    expect(
      await violations({
        "components/ui/badge.tsx": 'import type { Actor } from "../../server/services/actor";\nexport type A = Actor;\n',
        "server/services/actor.ts": "export type Actor = { id: string };\n",
      }),
    ).toEqual(["components-not-server"]);
    expect(await violations({ "components/ui/badge.tsx": 'import { value } from "../../lib/format";\nexport const v = value;\n', "lib/format.ts": leaf })).toEqual([]);
  });

  it("the ground floor imports no layer above it", async () => {
    expect(await violations({ "server/db/migrate.ts": 'import { value } from "../services/nodes/a";\nexport const v = value;\n', "server/services/nodes/a.ts": leaf })).toEqual([
      "foundations-not-up",
    ]);
  });

  it("folders depend on each other one way only, even when no file cycle exists", async () => {
    const oneWay = {
      "server/services/cron/run-cron.ts": leaf,
      "server/services/health/step.ts": 'import { value } from "../cron/run-cron";\nexport const v = value;\n',
    };
    expect(await violations(oneWay)).toEqual([]);
    expect(
      await violations({
        ...oneWay,
        // cron → health while health → cron: a folder cycle made of files that form no cycle.
        "server/services/cron/steps.ts": 'import { v } from "../health/step";\nexport const w = v;\n',
      }),
    ).toEqual(["no-folder-cycles"]);
  });

  it("are part of npm run lint", () => {
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, "package.json"), "utf8")) as { scripts: Record<string, string> };
    expect(pkg.scripts.lint).toMatch(/depcruise --config \.dependency-cruiser\.mjs/);
  });
});
