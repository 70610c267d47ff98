// The shared contract against a real panel: `npm run test:contract` with
// X3UI_CONTRACT_URL (root incl. webBasePath), X3UI_CONTRACT_INBOUND_ID (default 1)
// and X3UI_CONTRACT_USER + X3UI_CONTRACT_PASSWORD or X3UI_CONTRACT_TOKEN.
// Optional: X3UI_CONTRACT_TLS = verify | skip; X3UI_CONTRACT_RESTART = a shell
// command that restarts the panel (the start-up case runs only with it).

import { execSync } from "node:child_process";

import { defineContractSuite } from "./cases";

const url = process.env.X3UI_CONTRACT_URL;
if (!url) throw new Error("set X3UI_CONTRACT_URL (and credentials) to run the contract suite against a real panel");

const username = process.env.X3UI_CONTRACT_USER;
const password = process.env.X3UI_CONTRACT_PASSWORD;
const apiToken = process.env.X3UI_CONTRACT_TOKEN;
const restartCommand = process.env.X3UI_CONTRACT_RESTART;
const tlsMode = process.env.X3UI_CONTRACT_TLS === "skip" ? "skip" : "verify";
const config = { baseUrl: url, username, password, apiToken, timeoutMs: 15_000, tls: { mode: tlsMode } as const };

/** Runs the restart command, then waits until the panel answers HTTP again (any status). */
async function restart(command: string): Promise<void> {
  execSync(command, { stdio: "ignore", shell: "/bin/sh" });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const isUp = await fetch(url!, { redirect: "manual" }).then(() => true, () => false);
    if (isUp) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the panel did not come back within 60 s of the restart command");
}

defineContractSuite(`real panel at ${new URL(url).host}`, async () => ({
  config,
  inboundId: Number(process.env.X3UI_CONTRACT_INBOUND_ID ?? 1),
  wrongPasswordConfig: apiToken ? undefined : { ...config, password: `${password ?? ""}-wrong` },
  restart: restartCommand ? () => restart(restartCommand) : undefined,
}));
