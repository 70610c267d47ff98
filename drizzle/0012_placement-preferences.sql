ALTER TABLE "nodes" ADD COLUMN "inbound_protocol" text;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "preferred_location" text;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "is_strict_location" boolean DEFAULT false NOT NULL;