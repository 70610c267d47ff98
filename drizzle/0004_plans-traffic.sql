CREATE TYPE "public"."user_suspension" AS ENUM('expired', 'over_quota');--> statement-breakpoint
CREATE TABLE "node_traffic_hourly" (
	"node_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"up" bigint NOT NULL,
	"down" bigint NOT NULL,
	CONSTRAINT "node_traffic_hourly_node_id_hour_pk" PRIMARY KEY("node_id","hour")
);
--> statement-breakpoint
CREATE TABLE "node_traffic_reads" (
	"node_id" uuid PRIMARY KEY NOT NULL,
	"claimed_at" timestamp with time zone NOT NULL,
	"last_ok_at" timestamp with time zone,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "traffic_counters" (
	"node_id" uuid NOT NULL,
	"inbound_id" integer NOT NULL,
	"email" text NOT NULL,
	"user_id" uuid NOT NULL,
	"assignment_id" uuid,
	"up" bigint NOT NULL,
	"down" bigint NOT NULL,
	"seq" bigint NOT NULL,
	"read_at" timestamp with time zone NOT NULL,
	CONSTRAINT "traffic_counters_node_id_inbound_id_email_pk" PRIMARY KEY("node_id","inbound_id","email"),
	CONSTRAINT "traffic_counters_nonneg" CHECK ("traffic_counters"."up" >= 0 AND "traffic_counters"."down" >= 0)
);
--> statement-breakpoint
CREATE TABLE "user_traffic_hourly" (
	"user_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"up" bigint NOT NULL,
	"down" bigint NOT NULL,
	CONSTRAINT "user_traffic_hourly_user_id_hour_pk" PRIMARY KEY("user_id","hour")
);
--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "traffic_limit_bytes" bigint;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "device_limit" integer;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "upload_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "download_bytes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "period_started_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "suspension" "user_suspension";--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "vpn_users" ADD COLUMN "expiring_notified_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "node_traffic_hourly" ADD CONSTRAINT "node_traffic_hourly_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "node_traffic_reads" ADD CONSTRAINT "node_traffic_reads_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "traffic_counters" ADD CONSTRAINT "traffic_counters_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "traffic_counters" ADD CONSTRAINT "traffic_counters_user_id_vpn_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."vpn_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "traffic_counters" ADD CONSTRAINT "traffic_counters_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_traffic_hourly" ADD CONSTRAINT "user_traffic_hourly_user_id_vpn_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."vpn_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "node_traffic_hourly_hour_idx" ON "node_traffic_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "traffic_counters_user_idx" ON "traffic_counters" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "user_traffic_hourly_hour_idx" ON "user_traffic_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "vpn_users_expires_idx" ON "vpn_users" USING btree ("expires_at") WHERE "vpn_users"."suspension" IS NULL AND "vpn_users"."expires_at" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "vpn_users_over_quota_idx" ON "vpn_users" USING btree ("id") WHERE "vpn_users"."suspension" IS NULL AND "vpn_users"."traffic_limit_bytes" IS NOT NULL AND "vpn_users"."upload_bytes" + "vpn_users"."download_bytes" >= "vpn_users"."traffic_limit_bytes";--> statement-breakpoint
CREATE INDEX "vpn_users_suspension_idx" ON "vpn_users" USING btree ("suspension") WHERE "vpn_users"."suspension" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "vpn_users_usage_idx" ON "vpn_users" USING btree (("upload_bytes" + "download_bytes") DESC);--> statement-breakpoint
ALTER TABLE "vpn_users" ADD CONSTRAINT "vpn_users_traffic_limit_positive" CHECK ("vpn_users"."traffic_limit_bytes" IS NULL OR "vpn_users"."traffic_limit_bytes" > 0);--> statement-breakpoint
ALTER TABLE "vpn_users" ADD CONSTRAINT "vpn_users_device_limit_positive" CHECK ("vpn_users"."device_limit" IS NULL OR "vpn_users"."device_limit" > 0);--> statement-breakpoint
ALTER TABLE "vpn_users" ADD CONSTRAINT "vpn_users_usage_nonneg" CHECK ("vpn_users"."upload_bytes" >= 0 AND "vpn_users"."download_bytes" >= 0);