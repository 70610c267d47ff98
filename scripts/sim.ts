// `npm run sim -- --nodes N --version V [--base-path /p/] [--token T] [--hanging K]`: serves N
// simulated 3X-UI panels on 127.0.0.1 (one ephemeral port each) for demos and
// benchmarks; the first K of them accept connections and never answer. First stdout
// line: a JSON array of {url, username, password, version, inboundId, isHanging};
// runs until SIGINT/SIGTERM.

import { parseArgs } from "node:util";

import { startSimulators } from "@/server/x3ui/simulator";

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "1" },
    version: { type: "string", default: "g4" },
    "base-path": { type: "string" },
    token: { type: "string" },
    hanging: { type: "string", default: "0" },
  },
});

const count = Number(values.nodes);
if (!Number.isInteger(count) || count < 1) {
  console.error(`--nodes must be a positive integer, got ${values.nodes}`);
  process.exit(2);
}
const hanging = Number(values.hanging);
if (!Number.isInteger(hanging) || hanging < 0 || hanging > count) {
  console.error(`--hanging must be a whole number from 0 to --nodes, got ${values.hanging}`);
  process.exit(2);
}

const startedAt = performance.now();
const panels = await startSimulators(count, {
  version: values.version,
  basePath: values["base-path"],
  apiToken: values.token,
}).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});

for (const panel of panels.slice(0, hanging)) panel.faults.hang = true;

console.log(
  JSON.stringify(
    panels.map(({ url, username, password, version, inboundId, faults }) => ({ url, username, password, version, inboundId, isHanging: faults.hang })),
  ),
);
console.error(`sim: ${count} panel(s) v${panels[0]?.version} ready in ${Math.round(performance.now() - startedAt)} ms`);

const stop = async () => {
  await Promise.all(panels.map((p) => p.close()));
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
