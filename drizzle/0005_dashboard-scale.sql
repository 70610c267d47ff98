CREATE TABLE "daily_counts" (
	"metric" text NOT NULL,
	"day" date NOT NULL,
	"shard" smallint NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "daily_counts_metric_day_shard_pk" PRIMARY KEY("metric","day","shard")
);
--> statement-breakpoint
DROP INDEX "vpn_users_username_idx";--> statement-breakpoint
DROP INDEX "health_checks_node_time_idx";--> statement-breakpoint
CREATE INDEX "assignments_node_created_idx" ON "assignments" USING btree ("node_id","created_at");--> statement-breakpoint
CREATE INDEX "vpn_users_created_idx" ON "vpn_users" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "vpn_users_username_idx" ON "vpn_users" USING btree (lower("username") text_pattern_ops);--> statement-breakpoint
CREATE INDEX "health_checks_node_time_idx" ON "health_checks" USING btree ("node_id","checked_at","is_ok","latency_ms");--> statement-breakpoint
-- daily_counts, kept in the transaction of the rows they count. Statement triggers with transition
-- tables, so a bulk insert adds once per day rather than once per row; TRUNCATE starts the metric
-- (and its sub-metrics, "moves.…") over. The metric is the trigger's argument. A key issued is an assignment not made by moving an
-- existing key — its placement strategy is not migration or rebalance (read through to_jsonb, as
-- vpn_users has no such column); server/services/stats/daily-counts.test.ts holds every strategy to it.
CREATE FUNCTION fleet_count_per_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM daily_counts WHERE metric = TG_ARGV[0] OR metric LIKE TG_ARGV[0] || '.%';
    RETURN NULL;
  END IF;
  INSERT INTO daily_counts AS c (metric, day, shard, n)
  SELECT TG_ARGV[0], (r.created_at AT TIME ZONE 'UTC')::date, pg_backend_pid() % 8, CASE TG_OP WHEN 'INSERT' THEN count(*) ELSE -count(*) END
  FROM changed AS r
  WHERE TG_ARGV[0] <> 'keys' OR coalesce(to_jsonb(r) -> 'placement_reason' ->> 'strategy', '') NOT IN ('migration', 'rebalance')
  GROUP BY 2
  ON CONFLICT (metric, day, shard) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER vpn_users_count_insert AFTER INSERT ON vpn_users REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_per_day('users');--> statement-breakpoint
CREATE TRIGGER vpn_users_count_delete AFTER DELETE ON vpn_users REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_per_day('users');--> statement-breakpoint
CREATE TRIGGER vpn_users_count_truncate AFTER TRUNCATE ON vpn_users FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_per_day('users');--> statement-breakpoint
CREATE TRIGGER assignments_count_insert AFTER INSERT ON assignments REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_per_day('keys');--> statement-breakpoint
CREATE TRIGGER assignments_count_delete AFTER DELETE ON assignments REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_per_day('keys');--> statement-breakpoint
CREATE TRIGGER assignments_count_truncate AFTER TRUNCATE ON assignments FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_per_day('keys');--> statement-breakpoint
-- Users moved per day and operation kind ("moves.failover", …): an item counts on the UTC day it
-- became succeeded. Operations are history and never deleted, so nothing is taken off.
CREATE FUNCTION fleet_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO daily_counts AS c (metric, day, shard, n)
  SELECT 'moves.' || o.kind, (NEW.updated_at AT TIME ZONE 'UTC')::date, pg_backend_pid() % 8, 1
  FROM operations o WHERE o.id = NEW.operation_id AND o.kind IN ('migration', 'failover', 'drain', 'rebalance')
  ON CONFLICT (metric, day, shard) DO UPDATE SET n = c.n + 1;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER operation_items_count_insert AFTER INSERT ON operation_items FOR EACH ROW WHEN (NEW.status = 'succeeded') EXECUTE FUNCTION fleet_count_move();--> statement-breakpoint
CREATE TRIGGER operation_items_count_update AFTER UPDATE OF status ON operation_items FOR EACH ROW WHEN (NEW.status = 'succeeded' AND OLD.status <> 'succeeded') EXECUTE FUNCTION fleet_count_move();--> statement-breakpoint
CREATE TRIGGER operation_items_count_truncate AFTER TRUNCATE ON operation_items FOR EACH STATEMENT EXECUTE FUNCTION fleet_count_per_day('moves');--> statement-breakpoint
-- What is there already, counted once.
INSERT INTO daily_counts (metric, day, shard, n)
SELECT 'users', (created_at AT TIME ZONE 'UTC')::date, 0, count(*) FROM vpn_users GROUP BY 2;--> statement-breakpoint
INSERT INTO daily_counts (metric, day, shard, n)
SELECT 'keys', (created_at AT TIME ZONE 'UTC')::date, 0, count(*) FROM assignments
WHERE coalesce(placement_reason ->> 'strategy', '') NOT IN ('migration', 'rebalance') GROUP BY 2;--> statement-breakpoint
INSERT INTO daily_counts (metric, day, shard, n)
SELECT 'moves.' || o.kind, (i.updated_at AT TIME ZONE 'UTC')::date, 0, count(*) FROM operation_items i JOIN operations o ON o.id = i.operation_id
WHERE i.status = 'succeeded' AND o.kind IN ('migration', 'failover', 'drain', 'rebalance') GROUP BY 1, 2;
