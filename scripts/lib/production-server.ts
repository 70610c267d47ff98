/**
 * The production build and server for `npm start` and `npm run demo`: build when there is no build
 * in NEXT_DIST_DIR (default .next) or the sources changed since it was made, then serve it through
 * next-server.ts (Next's handler, with the connection's peer address stamped on each request).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const ROOT = process.cwd();
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

/** Builds unless the build in `distDir` matches the sources; exits the process if the build fails. */
export function ensureProductionBuild(env: NodeJS.ProcessEnv): void {
  const distDir = path.join(ROOT, env.NEXT_DIST_DIR ?? ".next");
  const stamp = path.join(distDir, "fleet-source-stamp");
  const current = fingerprint();
  const built = existsSync(stamp) && existsSync(path.join(distDir, "BUILD_ID")) ? readFileSync(stamp, "utf8") : null;
  if (built === current) return;
  console.log(built ? "Sources changed since the last build: building…" : "No production build yet: building (about a minute)…");
  const result = spawnSync(NEXT, ["build"], { stdio: "inherit", env: { ...env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(stamp, current);
}

const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const NEXT_SERVER = path.join(ROOT, "scripts", "lib", "next-server.ts");

/** The production server on `port` (and `hostname`, default every interface); signals to this process are passed on. */
export function startProductionServer(port: string, env: NodeJS.ProcessEnv, options: { stdio?: "inherit" | "pipe"; hostname?: string } = {}): ChildProcess {
  const server = spawn(TSX, [NEXT_SERVER, port, ...(options.hostname ? [options.hostname] : [])], { stdio: options.stdio ?? "inherit", env: { ...env, NEXT_TELEMETRY_DISABLED: "1" } });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  return server;
}
