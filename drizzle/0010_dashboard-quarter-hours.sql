CREATE TABLE "health_quarter_hours" (
	"node_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"checks" integer NOT NULL,
	"ok_checks" integer NOT NULL,
	"latency_sum_ms" bigint NOT NULL,
	"latency_count" integer NOT NULL,
	"max_latency_ms" integer,
	CONSTRAINT "health_quarter_hours_node_id_starts_at_pk" PRIMARY KEY("node_id","starts_at")
);
--> statement-breakpoint
ALTER TABLE "health_quarter_hours" ADD CONSTRAINT "health_quarter_hours_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "health_quarter_hours_starts_idx" ON "health_quarter_hours" USING btree ("starts_at");--> statement-breakpoint
CREATE INDEX "health_quarter_hours_node_series_idx" ON "health_quarter_hours" USING btree ("node_id","starts_at","checks","ok_checks","latency_sum_ms","latency_count","max_latency_ms");--> statement-breakpoint
CREATE INDEX "health_hourly_node_series_idx" ON "health_hourly" USING btree ("node_id","hour","checks","ok_checks","avg_latency_ms","max_latency_ms");--> statement-breakpoint
-- health_quarter_hours, kept in the transaction of the checks: a statement trigger with a transition
-- table, so a sweep's (or a bulk) insert adds once per node and quarter hour. Buckets start on the
-- quarter hours counted from 2000-01-01 UTC, as the charts' date_bin does. TRUNCATE starts over.
CREATE FUNCTION fleet_health_quarter_hours() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM health_quarter_hours;
    RETURN NULL;
  END IF;
  INSERT INTO health_quarter_hours AS q (node_id, starts_at, checks, ok_checks, latency_sum_ms, latency_count, max_latency_ms)
  SELECT node_id, date_bin('15 minutes', checked_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), count(*), count(*) FILTER (WHERE is_ok),
         coalesce(sum(latency_ms) FILTER (WHERE is_ok), 0), count(latency_ms) FILTER (WHERE is_ok), max(latency_ms) FILTER (WHERE is_ok)
  FROM added GROUP BY 1, 2
  ON CONFLICT (node_id, starts_at) DO UPDATE SET
    checks = q.checks + excluded.checks, ok_checks = q.ok_checks + excluded.ok_checks,
    latency_sum_ms = q.latency_sum_ms + excluded.latency_sum_ms, latency_count = q.latency_count + excluded.latency_count,
    max_latency_ms = greatest(q.max_latency_ms, excluded.max_latency_ms);
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER health_checks_quarter_hours AFTER INSERT ON health_checks REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION fleet_health_quarter_hours();--> statement-breakpoint
CREATE TRIGGER health_checks_quarter_hours_truncate AFTER TRUNCATE ON health_checks FOR EACH STATEMENT EXECUTE FUNCTION fleet_health_quarter_hours();--> statement-breakpoint
-- The last two days of checks there already, counted once.
INSERT INTO health_quarter_hours (node_id, starts_at, checks, ok_checks, latency_sum_ms, latency_count, max_latency_ms)
SELECT node_id, date_bin('15 minutes', checked_at, TIMESTAMPTZ '2000-01-01 00:00:00+00'), count(*), count(*) FILTER (WHERE is_ok),
       coalesce(sum(latency_ms) FILTER (WHERE is_ok), 0), count(latency_ms) FILTER (WHERE is_ok), max(latency_ms) FILTER (WHERE is_ok)
FROM health_checks WHERE checked_at >= now() - interval '2 days' GROUP BY 1, 2;
