// The shared contract against the simulator of every generation, inside `npm test`.

import { defineContractSuite } from "./cases";
import { SIMULATED_VERSIONS, startSimulator, type SimulatedPanel } from "../simulator";

// The generations' defaults, the real panels' versions (2.6.8, 2.9.4, 3.6.0) and edges between them.
const versions = [...new Set([...Object.values(SIMULATED_VERSIONS), "2.3.0", "2.6.8", "2.9.4", "3.0.2", "3.2.0"])];

for (const version of versions) {
  let sim: SimulatedPanel;
  defineContractSuite(
    `simulator v${version} (session)`,
    async () => {
      // A fast traffic job, so the quota case waits milliseconds instead of the real 5–10 s.
      sim = await startSimulator({ version, trafficPollMs: 100 });
      const config = { baseUrl: sim.url, username: sim.username, password: sim.password, timeoutMs: 2000 };
      return {
        config,
        inboundId: sim.inboundId,
        expectedGeneration: sim.generation,
        wrongPasswordConfig: { ...config, password: "wrong" },
        restart: () => sim.faults.restart(),
      };
    },
    () => sim.close(),
  );
}

let tokenSim: SimulatedPanel;
defineContractSuite(
  "simulator v3.6.0 (Bearer token, base path)",
  async () => {
    tokenSim = await startSimulator({ version: "3.6.0", apiToken: "contract-token", basePath: "/secret-path", trafficPollMs: 100 });
    return {
      config: { baseUrl: tokenSim.url.replace(/\/$/, ""), apiToken: "contract-token", timeoutMs: 2000 },
      inboundId: tokenSim.inboundId,
      expectedGeneration: "g4",
      restart: () => tokenSim.faults.restart(),
    };
  },
  () => tokenSim.close(),
);
