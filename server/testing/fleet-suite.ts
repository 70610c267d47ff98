/**
 * The lifecycle most fleet tests share: one database for the test file, and after each test the
 * fleet it started closed and the listed tables emptied, so every test starts from no nodes.
 */
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { Database } from "@/server/db/client";
import { createTestDatabase, type TestDatabase } from "./test-db";
import { startSimulatedFleet, type NodeSpec, type SimulatedFleet } from "@/server/services/keys/testing/simulated-fleet";

export type FleetSuite = {
  /** The file's database (available once the suite's beforeAll has run). */
  db(): Database;
  /** Its connection string, for a pool of another replica's own (server/testing/replica-suite.ts). */
  url(): string;
  start(specs: NodeSpec[], options?: Parameters<typeof startSimulatedFleet>[2]): Promise<SimulatedFleet>;
};

export function fleetSuite(tables: string[], options: { maxConnections?: number } = {}): FleetSuite {
  let test: TestDatabase | undefined;
  let fleet: SimulatedFleet | undefined;
  const opened = () => {
    if (!test) throw new Error("the fleet suite's database is opened in beforeAll");
    return test;
  };
  const db = () => opened().db;
  beforeAll(async () => {
    test = await createTestDatabase(options);
  });
  afterAll(async () => {
    await test?.close();
  });
  afterEach(async () => {
    await fleet?.close();
    fleet = undefined;
    await db().execute(sql.raw(`TRUNCATE ${tables.join(", ")} CASCADE`));
  });
  return {
    db,
    url: () => opened().url,
    start: async (specs, startOptions) => {
      fleet = await startSimulatedFleet(db(), specs, startOptions);
      return fleet;
    },
  };
}
