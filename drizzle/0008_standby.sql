CREATE TYPE "public"."assignment_role" AS ENUM('primary', 'standby');--> statement-breakpoint
DROP INDEX "assignments_one_active_per_user";--> statement-breakpoint
DROP INDEX "assignments_one_pending_per_user";--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "standby_max_users" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "standby_reserved_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "role" "assignment_role" DEFAULT 'primary' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_one_active_per_user" ON "assignments" USING btree ("user_id","role") WHERE "assignments"."state" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_one_pending_per_user" ON "assignments" USING btree ("user_id","role") WHERE "assignments"."state" = 'pending';--> statement-breakpoint
ALTER TABLE "nodes" ADD CONSTRAINT "nodes_standby_within_capacity" CHECK ("nodes"."standby_reserved_count" >= 0 AND "nodes"."standby_reserved_count" <= "nodes"."standby_max_users");--> statement-breakpoint
-- A standby is not a key issued: the daily "keys" count leaves standby assignments out.
CREATE OR REPLACE FUNCTION fleet_count_per_day() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM daily_counts WHERE metric = TG_ARGV[0] OR metric LIKE TG_ARGV[0] || '.%';
    RETURN NULL;
  END IF;
  INSERT INTO daily_counts AS c (metric, day, shard, n)
  SELECT TG_ARGV[0], (r.created_at AT TIME ZONE 'UTC')::date, pg_backend_pid() % 8, CASE TG_OP WHEN 'INSERT' THEN count(*) ELSE -count(*) END
  FROM changed AS r
  WHERE TG_ARGV[0] <> 'keys'
    OR (coalesce(to_jsonb(r) -> 'placement_reason' ->> 'strategy', '') NOT IN ('migration', 'rebalance') AND coalesce(to_jsonb(r) ->> 'role', 'primary') <> 'standby')
  GROUP BY 2
  ON CONFLICT (metric, day, shard) DO UPDATE SET n = c.n + excluded.n;
  RETURN NULL;
END $$;
