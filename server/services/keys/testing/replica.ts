/**
 * A replica of the app for tests that run two (or more) in one process on one database: its own
 * connection pool, its own panel clients (sessions) and its own in-process writer queue, as a
 * second process has. `crashAt(step)` makes it die at that point of a key flow (KeyStep): its
 * database connections are cut and its panel clients refuse, so nothing it would still do —
 * clean-up in catch blocks, lease releases, heartbeats — reaches the database or a panel. What it
 * leaves behind is exactly what a crashed process leaves: the survivors must cope.
 */
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Database } from "@/server/db/client";
import * as schema from "@/server/db/schema";
import { createPanelQueue } from "@/server/x3ui/panel-queue";
import type { PanelClient } from "@/server/x3ui/types";
import type { KeyDeps, KeyStep, PanelFactory } from "../key-deps";
import type { SimulatedFleet } from "./simulated-fleet";

export class ReplicaCrashedError extends Error {
  override readonly name = "ReplicaCrashedError";
}

export type Replica = {
  readonly name: string;
  readonly db: Database;
  /** Key-service collaborators of this replica; reconciler and migration deps extend them. */
  readonly deps: KeyDeps;
  /** Dies the next time a flow of this replica reaches `step`. */
  crashAt(step: KeyStep): void;
  readonly hasCrashed: boolean;
  close(): Promise<void>;
};

/** Short leases and deadlines, so a test outlives a crashed holder in well under a second. */
export const TEST_WRITER = { ttlMs: 400, waitMs: 3_000 };

export function startReplica(name: string, databaseUrl: string, fleet: SimulatedFleet, overrides: Partial<KeyDeps> = {}): Replica {
  const client = postgres(databaseUrl, { max: 8, onnotice: () => {} });
  const db = drizzle(client, { schema, casing: "snake_case" }) as unknown as Database;
  const panels = fleet.newPanelFactory();
  let armedAt: KeyStep | null = null;
  let hasCrashed = false;

  const die = async () => {
    hasCrashed = true;
    await client.end({ timeout: 0 });
  };
  const panelFor: PanelFactory = (node) => {
    if (hasCrashed) throw new ReplicaCrashedError(`${name} is dead`);
    const panel = panels(node);
    return new Proxy(panel, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (hasCrashed) return Promise.reject(new ReplicaCrashedError(`${name} is dead`));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }) as PanelClient;
  };

  const deps: KeyDeps = {
    db,
    panelFor,
    publicUrl: "https://fleet.example.com",
    inFlightWaitMs: 2_000,
    panelTimeoutMs: 1_000,
    writer: { ...TEST_WRITER, queue: createPanelQueue() },
    ejection: { baseMs: 1_000 },
    steps: async (step) => {
      if (hasCrashed) throw new ReplicaCrashedError(`${name} is dead`);
      if (step !== armedAt) return;
      await die();
      throw new ReplicaCrashedError(`${name} crashed at ${step}`);
    },
    ...overrides,
  };

  return {
    name,
    db,
    deps,
    crashAt: (step) => {
      armedAt = step;
    },
    get hasCrashed() {
      return hasCrashed;
    },
    close: async () => {
      if (!hasCrashed) await client.end({ timeout: 5 });
    },
  };
}
