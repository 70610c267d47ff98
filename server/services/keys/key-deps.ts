/**
 * What the key services need from the outside world, injected so tests run them against a real
 * PostgreSQL and simulated panels: the database, a way to reach a node's panel, a clock.
 */
import type { Database } from "@/server/db/client";
import type { Node } from "@/server/db/schema";
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import type { Clock } from "@/server/services/clock";
import type { PanelClient } from "@/server/x3ui/types";

/** Reaches a node's panel; the nodes service's implementation decrypts the stored credentials. */
export type PanelFactory = (node: Node) => PanelClient;

/**
 * Every client this system creates on a panel has an email starting with this prefix; the
 * reconciler touches nothing else on a panel (invariant 3). Contract tests pass another one.
 */
export const CLIENT_EMAIL_PREFIX = "fleet-";

export type KeyDeps = {
  db: Database;
  panelFor: PanelFactory;
  /** PUBLIC_URL without a trailing slash; subscription URLs hang off it. */
  publicUrl: string;
  clock?: Clock;
  emailPrefix?: string;
  /** How long a duplicate request waits for another request's pending key before answering 409. */
  inFlightWaitMs?: number;
  lease?: NodeLeaseOptions;
  metrics?: FleetMetrics;
};

export type NodeLeaseOptions = {
  /** Lease lifetime: longer than the slowest panel mutation (a few calls × the panel timeout). */
  ttlMs?: number;
  /** How long to wait for another replica's lease before giving up on the node. */
  waitMs?: number;
  /** The pause between two attempts at a held lease; tests pass their own to step through the wait. */
  pause?: (ms: number) => Promise<void>;
};
