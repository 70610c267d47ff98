-- A panel's address as one string, so one panel typed two ways is one panel (invariant 11): lower-case
-- scheme and host without a trailing dot, the port written out (443/80 when absent), the base path with
-- single slashes ending in "/" (the panel root the client calls). NULL for what is not an http(s) URL.
CREATE FUNCTION fleet_panel_address(url text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(m[1]) || '://' || rtrim(lower(m[2]), '.') || ':'
      || coalesce(nullif(m[3], '')::int::text, CASE lower(m[1]) WHEN 'https' THEN '443' ELSE '80' END)
      || regexp_replace(regexp_replace(coalesce(nullif(m[4], ''), '/'), '/+', '/', 'g'), '([^/])$', '\1/')
  FROM regexp_match(btrim(url), '^(https?)://(\[[^]]*\]|[^/:?#@]*)(?::([0-9]{1,5}))?([^?#]*)', 'i') AS m
$$;--> statement-breakpoint
ALTER TYPE "public"."node_health_state" ADD VALUE 'misconfigured';--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "panel_address" text GENERATED ALWAYS AS (fleet_panel_address(panel_url)) STORED;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "is_panel_duplicate" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "last_error_ref" jsonb;--> statement-breakpoint
ALTER TABLE "health_checks" ADD COLUMN "error_ref" jsonb;--> statement-breakpoint
ALTER TABLE "operation_items" ADD COLUMN "detail_ref" jsonb;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "reason_ref" jsonb;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "error_ref" jsonb;--> statement-breakpoint
ALTER TABLE "events" ADD COLUMN "message_ref" jsonb;--> statement-breakpoint
-- Panel inbounds added twice before the rule: the oldest node keeps the address, the younger copies are
-- marked and show as misconfigured (naming the original) until an admin changes or deletes them.
UPDATE "nodes" SET "is_panel_duplicate" = true
WHERE EXISTS (
  SELECT 1 FROM "nodes" o
  WHERE o.panel_address = "nodes".panel_address AND o.inbound_id = "nodes".inbound_id
    AND (o.created_at, o.id) < ("nodes".created_at, "nodes".id)
);--> statement-breakpoint
CREATE UNIQUE INDEX "nodes_panel_inbound_uq" ON "nodes" USING btree ("panel_address","inbound_id") WHERE NOT "nodes"."is_panel_duplicate";