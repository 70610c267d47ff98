// Entry point for tests, benchmarks and scripts/sim.ts.

import { startSimulator, type SimulatedPanel, type SimulatorOptions } from "./server";

export { startSimulator, type SimulatedPanel, type SimulatorFaults, type SimulatorOptions } from "./server";
export { SIMULATED_VERSIONS, profileFor } from "./profile";
export { rawAddClientRoundTrip } from "./raw-add-client";

/** Starts `count` panels, one listener each, with distinct credentials. */
export async function startSimulators(count: number, options: SimulatorOptions): Promise<SimulatedPanel[]> {
  const panels: SimulatedPanel[] = [];
  try {
    for (let i = 0; i < count; i += 100) {
      const batch = Math.min(100, count - i);
      panels.push(...(await Promise.all(Array.from({ length: batch }, () => startSimulator(options)))));
    }
  } catch (error) {
    await Promise.all(panels.map((p) => p.close()));
    throw error;
  }
  return panels;
}
