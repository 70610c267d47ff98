DROP INDEX "assignments_one_live_per_user";--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "mutation_fence" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "ejected_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "ejections" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "settle_by" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "replaces_id" uuid;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "panel_disabled_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_replaces_id_assignments_id_fk" FOREIGN KEY ("replaces_id") REFERENCES "public"."assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_one_active_per_user" ON "assignments" USING btree ("user_id") WHERE "assignments"."state" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_one_pending_per_user" ON "assignments" USING btree ("user_id") WHERE "assignments"."state" = 'pending';--> statement-breakpoint
CREATE INDEX "assignments_user_revoking_idx" ON "assignments" USING btree ("user_id") WHERE "assignments"."state" = 'revoking';