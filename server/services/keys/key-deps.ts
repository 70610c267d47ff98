/**
 * What the key services need from the outside world, injected so tests run them against a real
 * PostgreSQL and simulated panels: the database, a way to reach a node's panel, a clock.
 */
import type { Database } from "@/server/db/client";
import type { Node } from "@/server/db/schema";
import type { FleetMetrics } from "@/server/metrics/fleet-metrics";
import type { Clock } from "@/server/services/clock";
import type { PanelClient } from "@/server/x3ui/types";
import { DEFAULT_WRITER_WAIT_MS, type NodeWriterOptions } from "./node-writer";
import type { EjectionOptions } from "./outlier-ejection";

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
  metrics?: FleetMetrics;
  /** The panel client's timeout for one request: how long work in flight may take derives from it. */
  panelTimeoutMs?: number;
  writer?: NodeWriterOptions;
  ejection?: EjectionOptions;
  /** Tests only: called between the steps of every key flow, to crash the flow there. */
  steps?: StepHook;
  /**
   * Called, not awaited, once a request has placed a key for a user: with STANDBY_ENABLED it starts
   * the user's standby after the answer (standby/standby-after-key.ts) instead of at the next cron pass.
   */
  afterKeyPlaced?: (userId: string) => void;
  /** Called before a key is made (a new user, a refresh); throws to refuse it (the bot's per-user rate limit). */
  beforeNewKey?: (telegramId: number) => Promise<void>;
};

/** What the node-level work (writer, panel steps, settling, retiring) needs: no caller-facing settings. */
export type KeyWorkDeps = Pick<KeyDeps, "db" | "panelFor" | "clock" | "panelTimeoutMs" | "writer" | "ejection" | "steps" | "emailPrefix">;

/** Each point between two steps of a key flow where a process can die; see StepHook. */
export type KeyStep =
  /** The pending assignment and its reservation are committed; no panel call yet. */
  | "placement.reserved"
  /** The client exists on the panel; the assignment is still pending. */
  | "placement.created"
  /** The new assignment is active; the key it replaces is `revoking`, its client still on the panel. */
  | "placement.activated"
  /** The assignment is `revoking` and its place released; the client is still on the panel. */
  | "retire.marked"
  /** The client is gone from the panel (or switched off); the assignment is still `revoking`. */
  | "retire.removed";

/** Throwing from it makes the flow stop there as if the process had died (no clean-up runs). */
export type StepHook = (step: KeyStep, context: { assignmentId: string }) => void | Promise<void>;

const DEFAULT_PANEL_TIMEOUT_MS = 5_000;
/** Panel calls one attempt on one node may make: the inbound read, the add, a read-back, a repair. */
const PANEL_CALLS_PER_ATTEMPT = 4;

/**
 * How long a request owns the placement or retirement it is working on (`settle_by`), derived from
 * the panel deadlines: waiting for the node's writer, then every panel call of one attempt timing
 * out. Past it the work counts as abandoned and the next request for the user, or the reconciler,
 * settles it. Renewed before each attempt.
 */
export function inFlightDeadlineMs(deps: Pick<KeyDeps, "panelTimeoutMs" | "writer">): number {
  return (deps.writer?.waitMs ?? DEFAULT_WRITER_WAIT_MS) + PANEL_CALLS_PER_ATTEMPT * (deps.panelTimeoutMs ?? DEFAULT_PANEL_TIMEOUT_MS);
}
