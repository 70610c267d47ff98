/**
 * Health history the charts draw, written straight into the e2e database: a month of hourly
 * roll-ups and a day of checks every 15 minutes per node, and an outage of one node, as a fleet
 * that has run for a while would have. Only the past can be made this way; everything the tests
 * act on goes through the app.
 */
import postgres from "postgres";
import { E2E_ENV } from "./e2e-env";

export async function seedHealthHistory(nodeIds: readonly string[], outage: { nodeId: string; fromHoursAgo: number; toHoursAgo: number }) {
  const sql = postgres(E2E_ENV.DATABASE_URL!, { max: 1, onnotice: () => {} });
  try {
    await sql`UPDATE nodes SET created_at = now() - interval '31 days' WHERE id = ANY(${nodeIds}::uuid[])`;
    await sql`
      INSERT INTO health_hourly (node_id, hour, checks, ok_checks, avg_latency_ms, max_latency_ms)
      SELECT n.id, date_bin('1 hour', now() - h * interval '1 hour', TIMESTAMPTZ '2000-01-01 00:00:00+00'), 120, 120,
             40 + k * 9 + 12 * sin(h / 5.0 + k), 60 + k * 9
      FROM unnest(${nodeIds}::uuid[]) WITH ORDINALITY AS n(id, k), generate_series(25, 30 * 24) AS h
      ON CONFLICT DO NOTHING`;
    await sql`
      INSERT INTO health_checks (node_id, checked_at, is_ok, latency_ms, cpu_percent, xray_state, online_clients)
      SELECT id, at, NOT down, CASE WHEN down THEN NULL ELSE round(40 + k * 9 + 12 * sin(m / 7.0 + k))::int END, 12 + k, 'running', 5
      FROM (
        SELECT n.id, n.k, m, now() - m * interval '15 minutes' AS at,
               n.id = ${outage.nodeId}::uuid AND m * 15 BETWEEN ${outage.toHoursAgo * 60} AND ${outage.fromHoursAgo * 60} AS down
        FROM unnest(${nodeIds}::uuid[]) WITH ORDINALITY AS n(id, k), generate_series(1, 96) AS m
      ) AS c`;
    await sql`
      INSERT INTO events (kind, severity, node_id, message, data, created_at)
      VALUES ('node.down', 'critical', ${outage.nodeId}, 'seeded outage', '{"from": "healthy", "to": "unhealthy"}'::jsonb, now() - ${outage.fromHoursAgo} * interval '1 hour'),
             ('node.up', 'info', ${outage.nodeId}, 'seeded recovery', '{"from": "unhealthy", "to": "healthy"}'::jsonb, now() - ${outage.toHoursAgo} * interval '1 hour')`;
  } finally {
    await sql.end();
  }
}
