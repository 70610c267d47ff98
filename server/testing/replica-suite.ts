/**
 * The fleet suite (fleet-suite.ts) with two replicas of the app on each test's fleet, replica-a and
 * replica-b (keys/testing/replica.ts); after each test the replicas are closed before the fleet and
 * the tables, so a replica that crashed leaves nothing to the next test.
 */
import { afterEach } from "vitest";
import type { Database } from "@/server/db/client";
import { startReplica, type Replica } from "@/server/services/keys/testing/replica";
import type { NodeSpec, SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";
import { fleetSuite } from "./fleet-suite";

export type ReplicaSuite = {
  db(): Database;
  url(): string;
  /** The running test's fleet. */
  readonly fleet: SimulatedFleet;
  start(specs: NodeSpec[], options?: { timeoutMs?: number; proxied?: boolean }): Promise<{ f: SimulatedFleet; a: Replica; b: Replica }>;
  /** Closes a replica the test started itself along with the others. */
  track(replica: Replica): Replica;
};

export function replicaSuite(tables: string[]): ReplicaSuite {
  const fleets = fleetSuite(tables, { maxConnections: 10 });
  let fleet: SimulatedFleet | undefined;
  let replicas: Replica[] = [];
  // Registered after the fleet suite's, so it runs before it (hooks run as a stack).
  afterEach(async () => {
    await Promise.all(replicas.map((r) => r.close()));
    replicas = [];
    fleet = undefined;
  });

  const suite: ReplicaSuite = {
    db: fleets.db,
    url: fleets.url,
    get fleet() {
      if (!fleet) throw new Error("no fleet started in this test");
      return fleet;
    },
    async start(specs, options) {
      fleet = await fleets.start(specs, options);
      const a = suite.track(startReplica("replica-a", fleets.url(), fleet));
      const b = suite.track(startReplica("replica-b", fleets.url(), fleet));
      return { f: fleet, a, b };
    },
    track(replica) {
      replicas.push(replica);
      return replica;
    },
  };
  return suite;
}
