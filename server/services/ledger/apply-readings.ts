/**
 * The traffic ledger's one write path: turns panel counter readings into per-user deltas.
 *
 * A panel keeps one cumulative counter per client email (bytes up and down). For each reading the
 * ledger holds the last one it applied (`traffic_counters`, keyed by node, inbound and email):
 *
 * - reading ≥ last → the delta is the difference;
 * - reading < last (either direction) → the panel reset the counter (an operator's reset, a panel
 *   whose database was replaced, a client re-created under the same email): the delta is the
 *   reading itself, counted from zero. What the panel counted between our last reading and its
 *   reset is gone from the panel and cannot be recovered;
 * - an email with no row yet → counted from zero (our clients are new when created).
 *
 * Exactly once (idempotent across retries and replicas): the new reading replaces the old one
 * only if the row still carries the `seq` the delta was computed from, and the deltas are added to
 * the hourly roll-ups and the user's totals in the same statement, only for the rows replaced. A
 * second replica (or a retry) applying the same reading finds `seq` moved and adds nothing; the
 * counters are cumulative, so whatever it skipped is in the next reading's delta.
 *
 * Deltas are attributed to the hour they were read in, so a node unreachable for an hour has that
 * hour's bytes counted in the hour it came back.
 */
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "@/server/db/client";
import { rowsOf } from "@/server/db/migrate";
import { assignments, trafficCounters } from "@/server/db/schema";
import type { Transaction } from "@/server/services/audit/record-audit";

const HOUR_MS = 3_600_000;

export type CounterReading = { inboundId: number; email: string; up: number; down: number };

export type ApplyResult = {
  /** Readings that changed a counter (and added their delta). */
  applied: number;
  /** Readings skipped because another writer applied a newer one first. */
  superseded: number;
  /** Readings below the last one: the panel reset that counter. */
  resets: number;
  bytes: { up: number; down: number };
  /** Users whose totals this reading took to or past their limit while not yet suspended. */
  overQuota: string[];
};

type Row = { inbound_id: number; email: string; user_id: string; assignment_id: string | null; up: number; down: number; seq: number; d_up: number; d_down: number };

const keyOf = (inboundId: number, email: string) => `${inboundId}\u0000${email}`;

export function hourOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);
}

export async function applyReadings(db: Database | Transaction, input: { nodeId: string; at: Date; readings: CounterReading[] }): Promise<ApplyResult> {
  const result: ApplyResult = { applied: 0, superseded: 0, resets: 0, bytes: { up: 0, down: 0 }, overQuota: [] };
  if (input.readings.length === 0) return result;
  const emails = [...new Set(input.readings.map((r) => r.email))];
  const known = await db
    .select()
    .from(trafficCounters)
    .where(and(eq(trafficCounters.nodeId, input.nodeId), inArray(trafficCounters.email, emails)));
  const last = new Map(known.map((c) => [keyOf(c.inboundId, c.email), c]));
  const knownEmails = new Set(known.map((c) => c.email));
  const firstSeen = emails.filter((email) => !knownEmails.has(email));
  const owners = new Map<string, { userId: string; assignmentId: string }>();
  if (firstSeen.length > 0) {
    // Only a client an assignment of this node names (issued or adopted here) has an owner; anything
    // else on the panel is not ours to count. The newest row wins when an email was held twice.
    const rows = await db
      .select({ id: assignments.id, userId: assignments.userId, email: assignments.clientEmail })
      .from(assignments)
      .where(and(eq(assignments.nodeId, input.nodeId), inArray(assignments.clientEmail, firstSeen)))
      .orderBy(asc(assignments.createdAt));
    for (const row of rows) owners.set(row.email, { userId: row.userId, assignmentId: row.id });
  }

  const rows: Row[] = [];
  for (const reading of input.readings) {
    const previous = last.get(keyOf(reading.inboundId, reading.email));
    const owner = previous ? { userId: previous.userId, assignmentId: previous.assignmentId } : owners.get(reading.email);
    if (!owner) continue;
    const base = previous ?? { up: 0, down: 0, seq: 0 };
    if (reading.up === base.up && reading.down === base.down && previous) continue;
    const isReset = reading.up < base.up || reading.down < base.down;
    if (isReset) result.resets++;
    rows.push({
      inbound_id: reading.inboundId,
      email: reading.email,
      user_id: owner.userId,
      assignment_id: owner.assignmentId,
      up: reading.up,
      down: reading.down,
      seq: base.seq,
      d_up: isReset ? reading.up : reading.up - base.up,
      d_down: isReset ? reading.down : reading.down - base.down,
    });
  }
  if (rows.length === 0) return result;

  const at = input.at.toISOString();
  const hour = hourOf(input.at).toISOString();
  // One statement, so the counters, the roll-ups and the totals change together or not at all.
  // `locked` takes the row locks of the users it adds to in id order before anything else writes
  // (the scalar subquery in `v` is evaluated once, first), so two nodes' passes that share users
  // (a user moved mid-period) wait for each other instead of deadlocking.
  const outcome = await db.execute(sql`
    WITH input AS (
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        AS x(inbound_id int, email text, user_id uuid, assignment_id uuid, up bigint, down bigint, seq bigint, d_up bigint, d_down bigint)
    ),
    locked AS (
      SELECT id FROM vpn_users WHERE id IN (SELECT user_id FROM input WHERE d_up + d_down > 0) ORDER BY id FOR NO KEY UPDATE
    ),
    v AS (SELECT * FROM input WHERE (SELECT count(*) FROM locked) >= 0),
    applied AS (
      INSERT INTO traffic_counters (node_id, inbound_id, email, user_id, assignment_id, up, down, seq, read_at)
      SELECT ${input.nodeId}::uuid, inbound_id, email, user_id, assignment_id, up, down, seq + 1, ${at}::timestamptz FROM v
      ON CONFLICT (node_id, inbound_id, email) DO UPDATE
        SET up = excluded.up, down = excluded.down, seq = excluded.seq, read_at = excluded.read_at
        WHERE traffic_counters.seq = excluded.seq - 1
      RETURNING inbound_id, email
    ),
    per_user AS (
      SELECT v.user_id, sum(v.d_up)::bigint AS up, sum(v.d_down)::bigint AS down
      FROM v JOIN applied USING (inbound_id, email)
      WHERE v.d_up + v.d_down > 0
      GROUP BY v.user_id
    ),
    user_hours AS (
      INSERT INTO user_traffic_hourly (user_id, hour, up, down)
      SELECT user_id, ${hour}::timestamptz, up, down FROM per_user
      ON CONFLICT (user_id, hour) DO UPDATE SET up = user_traffic_hourly.up + excluded.up, down = user_traffic_hourly.down + excluded.down
    ),
    node_hours AS (
      INSERT INTO node_traffic_hourly (node_id, hour, up, down)
      SELECT ${input.nodeId}::uuid, ${hour}::timestamptz, sum(up), sum(down) FROM per_user HAVING count(*) > 0
      ON CONFLICT (node_id, hour) DO UPDATE SET up = node_traffic_hourly.up + excluded.up, down = node_traffic_hourly.down + excluded.down
    ),
    totals AS (
      UPDATE vpn_users u SET upload_bytes = u.upload_bytes + p.up, download_bytes = u.download_bytes + p.down
      FROM per_user p WHERE u.id = p.user_id
      RETURNING u.id, u.upload_bytes + u.download_bytes AS used, u.traffic_limit_bytes AS quota, u.suspension
    )
    SELECT
      (SELECT count(*) FROM applied)::int AS applied,
      (SELECT coalesce(sum(up), 0) FROM per_user)::bigint AS up,
      (SELECT coalesce(sum(down), 0) FROM per_user)::bigint AS down,
      (SELECT coalesce(json_agg(id), '[]'::json) FROM totals WHERE suspension IS NULL AND quota IS NOT NULL AND used >= quota) AS over_quota
  `);
  const [summary] = rowsOf<{ applied: number; up: string | number; down: string | number; over_quota: string[] | string }>(outcome);
  if (!summary) return result;
  result.applied = Number(summary.applied);
  result.superseded = rows.length - result.applied;
  result.bytes = { up: Number(summary.up), down: Number(summary.down) };
  result.overQuota = typeof summary.over_quota === "string" ? (JSON.parse(summary.over_quota) as string[]) : summary.over_quota;
  return result;
}
