/**
 * `npm start`: serve the production build on PORT (default 3000), building it first when there is
 * none or when the sources changed since the last build, so `npm ci && npm start` works on a
 * fresh clone. The embedded database and its secrets are created by the server on first start.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = process.cwd();
const STAMP = path.join(ROOT, ".next", "fleet-source-stamp");
const SOURCES = ["app", "components", "server", "public", "drizzle", "proxy.ts", "instrumentation.ts", "next.config.ts", "package-lock.json"];
const NEXT = path.join(ROOT, "node_modules", ".bin", "next");

function fingerprint(): string {
  const hash = createHash("sha256");
  const visit = (p: string) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p).sort()) if (!entry.endsWith(".test.ts")) visit(path.join(p, entry));
    } else {
      hash.update(`${path.relative(ROOT, p)}:${stat.size}:${stat.mtimeMs}\n`);
    }
  };
  SOURCES.forEach((s) => visit(path.join(ROOT, s)));
  return hash.digest("hex");
}

const current = fingerprint();
const built = existsSync(STAMP) && existsSync(path.join(ROOT, ".next", "BUILD_ID")) ? readFileSync(STAMP, "utf8") : null;
if (built !== current) {
  console.log(built ? "Sources changed since the last build: building…" : "No production build yet: building (about a minute)…");
  const result = spawnSync(NEXT, ["build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(STAMP, current);
}

const port = process.env.PORT ?? "3000";
const server = spawn(NEXT, ["start", "-p", port], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
