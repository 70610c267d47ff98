CREATE TYPE "public"."notification_channel" AS ENUM('webhook', 'telegram');--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "channel" "notification_channel" DEFAULT 'webhook' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "event_id" bigint;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "webhook_deliveries_created_idx" ON "webhook_deliveries" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_deliveries_channel_event_uq" ON "webhook_deliveries" USING btree ("channel","event_id");