/**
 * Up/down bands per node, rebuilt from the health transitions the sweep records as events
 * (`node.up`, `node.down`, … with `{from, to}`): the state before a node's first transition in the
 * window is that transition's `from`, and a node with no transition kept its current state all
 * along. So the timeline needs no history before the window and reads only the window's events.
 *
 * A node's state is `unknown` until the sweep first decides it (a new node, or one whose checks
 * were written before any transition was recorded). Where that stretch has checks, the bands say
 * what the checks saw, bucket by bucket as the latency chart draws them: all passed — healthy,
 * none — unhealthy, some — degraded; a bucket without checks stays unknown.
 */
import { and, asc, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { events, nodeHealthState, nodes, type NodeHealthState } from "@/server/db/schema";
import { getHealthSeries, type HealthPoint } from "../health/health-history";
import type { StatsDeps } from "./stats-deps";
import { windowOf, type TimeRange } from "./time-range";

const HEALTH_EVENT_KINDS = ["node.up", "node.degraded", "node.down", "node.auth_error", "node.misconfigured"] as const;

/** Rows beyond this do not fit a card; nodes in trouble now, then the most eventful, come first. */
const HEALTH_TIMELINE_LIMIT = 12;

export type HealthSegment = { from: number; to: number; state: NodeHealthState };
export type HealthTimeline = {
  from: number;
  to: number;
  rows: { nodeId: string; node: string; segments: HealthSegment[] }[];
  totalNodes: number;
};

const HEALTH_STATES = new Set<NodeHealthState>(nodeHealthState.enumValues);
const asState = (value: unknown): NodeHealthState | null => (HEALTH_STATES.has(value as NodeHealthState) ? (value as NodeHealthState) : null);

export async function getHealthTimeline(deps: StatsDeps, input: { range: TimeRange; nodeId?: string }): Promise<HealthTimeline> {
  const window = windowOf(input.range, deps.clock.now());
  const from = window.from.getTime();
  const to = window.to.getTime();
  const inWindow = and(inArray(events.kind, [...HEALTH_EVENT_KINDS]), gte(events.createdAt, window.from));

  const eventful = deps.db
    .select({ nodeId: events.nodeId, n: sql<number>`count(*)`.as("n") })
    .from(events)
    .where(inWindow)
    .groupBy(events.nodeId)
    .as("eventful");
  // Nodes in trouble now first, then the most eventful: picked (and cut to the card) before their transitions are read.
  const isTroubled = sql<boolean>`${nodes.healthState} not in ('healthy', 'unknown')`;
  const picked = deps.db
    .select({
      id: nodes.id,
      name: nodes.name,
      healthState: nodes.healthState,
      createdAt: nodes.createdAt,
      totalNodes: sql<number>`count(*) over ()`.mapWith(Number).as("total_nodes"),
      isTroubled: isTroubled.as("is_troubled"),
      eventCount: sql<number | null>`${eventful.n}`.as("event_count"),
    })
    .from(nodes)
    .leftJoin(eventful, eq(eventful.nodeId, nodes.id))
    .where(input.nodeId ? eq(nodes.id, input.nodeId) : sql`${nodes.adminState} <> 'disabled'`)
    .orderBy(desc(isTroubled), sql`${eventful.n} desc nulls last`, asc(nodes.name))
    .limit(input.nodeId ? 1 : HEALTH_TIMELINE_LIMIT)
    .as("picked");
  // Each picked node's transitions in the window, oldest first, in the same statement: one round trip for the card.
  // The node is named with its alias: drizzle leaves a one-table select's columns unqualified, and "id" would mean e.id here.
  const transitionsOf = sql<{ at: number; data: { from?: unknown; to?: unknown } | null }[]>`coalesce((
    SELECT json_agg(json_build_object('at', floor(extract(epoch FROM e.created_at) * 1000), 'data', e.data) ORDER BY e.created_at, e.id)
    FROM ${events} e
    WHERE e.node_id = ${sql.identifier("picked")}.id AND e.kind IN (${sql.join(HEALTH_EVENT_KINDS.map((kind) => sql`${kind}`), sql`, `)}) AND e.created_at >= ${window.from.toISOString()}::timestamptz
  ), '[]'::json)`;
  const found = await deps.db
    .select({ id: picked.id, name: picked.name, healthState: picked.healthState, createdAt: picked.createdAt, totalNodes: picked.totalNodes, transitions: transitionsOf })
    .from(picked)
    .orderBy(desc(picked.isTroubled), sql`${picked.eventCount} desc nulls last`, asc(picked.name));
  if (found.length === 0) return { from, to, rows: [], totalNodes: 0 };
  const shown = found.map(({ transitions, ...node }) => ({ ...node, own: transitions.map((t) => ({ at: new Date(t.at), data: t.data })) }));

  const undecided = shown.filter((node) => initialState(node, node.own) === "unknown").map((node) => node.id);
  const checked = new Map(
    undecided.length === 0 ? [] : (await getHealthSeries(deps.db, { range: input.range, now: window.to, nodeIds: undecided })).map((s) => [s.nodeId, s.points]),
  );

  const rows = shown.map(({ own, ...node }) => {
    const segments: HealthSegment[] = [];
    let cursor = Math.max(from, node.createdAt.getTime());
    let state = initialState(node, own);
    if (state === "unknown") {
      const until = Math.min(to, own[0]?.at.getTime() ?? to);
      segments.push(...segmentsFromChecks(checked.get(node.id) ?? [], { from: cursor, to: until, bucketMs: window.bucketMs }));
      cursor = Math.max(cursor, until);
    }
    for (const transition of own) {
      const at = Math.max(transition.at.getTime(), cursor);
      if (at > cursor) segments.push({ from: cursor, to: at, state });
      cursor = at;
      state = asState(transition.data?.to) ?? state;
    }
    if (to > cursor) segments.push({ from: cursor, to, state });
    return { nodeId: node.id, node: node.name, segments: mergeAdjacent(segments) };
  });
  return { from, to, rows, totalNodes: found[0]?.totalNodes ?? 0 };
}

/** The state before the node's first transition in the window; with none, it kept its current state all along. */
function initialState(node: { healthState: NodeHealthState }, own: { data: { from?: unknown } | null }[]): NodeHealthState {
  const first = own[0];
  return first ? (asState(first.data?.from) ?? "unknown") : node.healthState;
}

/** What the checks saw in [from, to), one segment per bucket; time without checks is unknown. */
function segmentsFromChecks(points: HealthPoint[], span: { from: number; to: number; bucketMs: number }): HealthSegment[] {
  const segments: HealthSegment[] = [];
  let cursor = span.from;
  for (const point of points) {
    const start = Math.max(point.at.getTime(), cursor);
    const end = Math.min(point.at.getTime() + span.bucketMs, span.to);
    if (end <= start || point.checks === 0) continue;
    if (start > cursor) segments.push({ from: cursor, to: start, state: "unknown" });
    const state: NodeHealthState = point.okChecks === point.checks ? "healthy" : point.okChecks === 0 ? "unhealthy" : "degraded";
    segments.push({ from: start, to: end, state });
    cursor = end;
  }
  if (span.to > cursor) segments.push({ from: cursor, to: span.to, state: "unknown" });
  return segments;
}

function mergeAdjacent(segments: HealthSegment[]): HealthSegment[] {
  const merged: HealthSegment[] = [];
  for (const segment of segments) {
    const last = merged[merged.length - 1];
    if (last && last.state === segment.state && last.to === segment.from) last.to = segment.to;
    else merged.push({ ...segment });
  }
  return merged;
}
