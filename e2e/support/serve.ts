/**
 * Playwright's web server: recreate the e2e database, then serve the production build on it.
 * Refuses any database that is not on this machine, so e2e can never wipe a real one.
 */
import { spawn } from "node:child_process";
import postgres from "postgres";

const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

async function main() {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("e2e needs DATABASE_URL");
  const url = new URL(databaseUrl);
  if (!LOCAL_HOSTS.has(url.hostname)) throw new Error(`e2e refuses a non-local database (${url.hostname})`);
  const name = url.pathname.slice(1);
  if (!/^fleet_e2e\w*$/.test(name)) throw new Error(`e2e only recreates databases named fleet_e2e*, not "${name}"`);

  const serverUrl = new URL(databaseUrl);
  serverUrl.pathname = "/postgres";
  const admin = postgres(serverUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();

  // The production server (scripts/lib/next-server.ts): it stamps each request with the caller's address.
  const server = spawn("./node_modules/.bin/tsx", ["scripts/lib/next-server.ts", process.env.PORT ?? "3210"], { stdio: "inherit", env: process.env });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => server.kill(signal));
  server.on("exit", (code) => process.exit(code ?? 0));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
