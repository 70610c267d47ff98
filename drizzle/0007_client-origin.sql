CREATE TYPE "public"."client_origin" AS ENUM('issued', 'adopted');--> statement-breakpoint
DROP INDEX "assignments_client_email_uq";--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "client_origin" "client_origin" DEFAULT 'issued' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_node_email_held_uq" ON "assignments" USING btree ("node_id",lower("client_email")) WHERE "assignments"."state" IN ('pending', 'active', 'revoking');--> statement-breakpoint
CREATE INDEX "assignments_node_email_idx" ON "assignments" USING btree ("node_id",lower("client_email"));--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_client_email_uq" ON "assignments" USING btree ("client_email") WHERE "assignments"."client_origin" = 'issued';