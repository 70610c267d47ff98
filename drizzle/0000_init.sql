CREATE TYPE "public"."admin_role" AS ENUM('owner', 'admin', 'viewer');--> statement-breakpoint
CREATE TYPE "public"."assignment_state" AS ENUM('pending', 'active', 'revoking', 'revoked', 'failed');--> statement-breakpoint
CREATE TYPE "public"."delivery_status" AS ENUM('pending', 'delivered', 'failed');--> statement-breakpoint
CREATE TYPE "public"."event_severity" AS ENUM('info', 'warning', 'critical');--> statement-breakpoint
CREATE TYPE "public"."node_admin_state" AS ENUM('active', 'draining', 'disabled');--> statement-breakpoint
CREATE TYPE "public"."node_health_state" AS ENUM('unknown', 'healthy', 'degraded', 'unhealthy', 'auth_error');--> statement-breakpoint
CREATE TYPE "public"."operation_item_status" AS ENUM('pending', 'running', 'succeeded', 'failed', 'skipped');--> statement-breakpoint
CREATE TYPE "public"."operation_kind" AS ENUM('migration', 'failover', 'drain', 'rebalance', 'reconcile');--> statement-breakpoint
CREATE TYPE "public"."operation_status" AS ENUM('pending', 'running', 'succeeded', 'partial', 'failed', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."tls_mode" AS ENUM('verify', 'skip', 'pin');--> statement-breakpoint
CREATE TYPE "public"."vpn_user_status" AS ENUM('active', 'disabled');--> statement-breakpoint
CREATE TABLE "admins" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"password_hash" text NOT NULL,
	"role" "admin_role" DEFAULT 'viewer' NOT NULL,
	"is_disabled" boolean DEFAULT false NOT NULL,
	"session_version" integer DEFAULT 1 NOT NULL,
	"failed_logins" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"last_login_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "login_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"ip" text NOT NULL,
	"username" text NOT NULL,
	"is_success" boolean NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"location" text,
	"panel_url" text NOT NULL,
	"panel_username" text,
	"panel_secret_enc" text,
	"inbound_id" integer NOT NULL,
	"public_host" text,
	"public_port" integer,
	"tls_mode" "tls_mode" DEFAULT 'verify' NOT NULL,
	"tls_pin_sha256" text,
	"max_users" integer DEFAULT 100 NOT NULL,
	"reserved_count" integer DEFAULT 0 NOT NULL,
	"priority" integer DEFAULT 100 NOT NULL,
	"weight" double precision DEFAULT 1 NOT NULL,
	"admin_state" "node_admin_state" DEFAULT 'active' NOT NULL,
	"health_state" "node_health_state" DEFAULT 'unknown' NOT NULL,
	"health_changed_at" timestamp with time zone,
	"consecutive_successes" integer DEFAULT 0 NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"failing_since" timestamp with time zone,
	"last_check_at" timestamp with time zone,
	"last_latency_ms" integer,
	"last_error" text,
	"panel_version" text,
	"api_generation" text,
	"xray_version" text,
	"xray_state" text,
	"needs_reconcile" boolean DEFAULT false NOT NULL,
	"last_reconciled_at" timestamp with time zone,
	"check_lease_until" timestamp with time zone,
	"check_lease_owner" text,
	"mutation_lease_until" timestamp with time zone,
	"mutation_lease_owner" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nodes_reserved_within_capacity" CHECK ("nodes"."reserved_count" >= 0 AND "nodes"."reserved_count" <= "nodes"."max_users"),
	CONSTRAINT "nodes_max_users_nonneg" CHECK ("nodes"."max_users" >= 0),
	CONSTRAINT "nodes_priority_positive" CHECK ("nodes"."priority" > 0),
	CONSTRAINT "nodes_weight_positive" CHECK ("nodes"."weight" > 0),
	CONSTRAINT "nodes_inbound_positive" CHECK ("nodes"."inbound_id" > 0),
	CONSTRAINT "nodes_public_port_range" CHECK ("nodes"."public_port" IS NULL OR ("nodes"."public_port" BETWEEN 1 AND 65535))
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"node_id" uuid,
	"inbound_id" integer NOT NULL,
	"client_id" text NOT NULL,
	"client_email" text NOT NULL,
	"share_link" text,
	"state" "assignment_state" DEFAULT 'pending' NOT NULL,
	"placement_reason" jsonb,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"activated_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assignments_live_has_node" CHECK ("assignments"."state" NOT IN ('pending', 'active', 'revoking') OR "assignments"."node_id" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "vpn_users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"telegram_id" bigint NOT NULL,
	"username" text,
	"subscription_token" text NOT NULL,
	"status" "vpn_user_status" DEFAULT 'active' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vpn_users_telegramId_unique" UNIQUE("telegram_id"),
	CONSTRAINT "vpn_users_subscriptionToken_unique" UNIQUE("subscription_token")
);
--> statement-breakpoint
CREATE TABLE "cron_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"trigger" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "health_checks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"node_id" uuid NOT NULL,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"is_ok" boolean NOT NULL,
	"latency_ms" integer,
	"error" text,
	"cpu_percent" double precision,
	"mem_used_bytes" bigint,
	"mem_total_bytes" bigint,
	"xray_state" text,
	"online_clients" integer
);
--> statement-breakpoint
CREATE TABLE "health_hourly" (
	"node_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"checks" integer NOT NULL,
	"ok_checks" integer NOT NULL,
	"avg_latency_ms" double precision,
	"max_latency_ms" integer,
	CONSTRAINT "health_hourly_node_id_hour_pk" PRIMARY KEY("node_id","hour")
);
--> statement-breakpoint
CREATE TABLE "operation_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"operation_id" uuid NOT NULL,
	"user_id" uuid,
	"from_node_id" uuid,
	"to_node_id" uuid,
	"status" "operation_item_status" DEFAULT 'pending' NOT NULL,
	"detail" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "operation_kind" NOT NULL,
	"status" "operation_status" DEFAULT 'pending' NOT NULL,
	"node_id" uuid,
	"target_node_id" uuid,
	"started_by" text NOT NULL,
	"actor_admin_id" uuid,
	"reason" text,
	"plan" jsonb,
	"total" integer DEFAULT 0 NOT NULL,
	"succeeded" integer DEFAULT 0 NOT NULL,
	"failed" integer DEFAULT 0 NOT NULL,
	"error" text,
	"lease_until" timestamp with time zone,
	"lease_owner" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "app_settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_by" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"actor_admin_id" uuid,
	"actor_name" text NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"before" jsonb,
	"after" jsonb,
	"ip" text,
	"user_agent" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bot_nonces" (
	"nonce" text PRIMARY KEY NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"severity" "event_severity" DEFAULT 'info' NOT NULL,
	"node_id" uuid,
	"message" text NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" "delivery_status" DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"response_status" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_user_id_vpn_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."vpn_users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_checks" ADD CONSTRAINT "health_checks_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "health_hourly" ADD CONSTRAINT "health_hourly_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_items" ADD CONSTRAINT "operation_items_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_items" ADD CONSTRAINT "operation_items_user_id_vpn_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."vpn_users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_items" ADD CONSTRAINT "operation_items_from_node_id_nodes_id_fk" FOREIGN KEY ("from_node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_items" ADD CONSTRAINT "operation_items_to_node_id_nodes_id_fk" FOREIGN KEY ("to_node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_target_node_id_nodes_id_fk" FOREIGN KEY ("target_node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_actor_admin_id_admins_id_fk" FOREIGN KEY ("actor_admin_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_actor_admin_id_admins_id_fk" FOREIGN KEY ("actor_admin_id") REFERENCES "public"."admins"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_node_id_nodes_id_fk" FOREIGN KEY ("node_id") REFERENCES "public"."nodes"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "admins_username_lower_uq" ON "admins" USING btree (lower("username"));--> statement-breakpoint
CREATE INDEX "login_attempts_ip_time_idx" ON "login_attempts" USING btree ("ip","created_at");--> statement-breakpoint
CREATE INDEX "login_attempts_time_idx" ON "login_attempts" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "nodes_name_lower_uq" ON "nodes" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "nodes_last_check_idx" ON "nodes" USING btree ("last_check_at");--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_one_live_per_user" ON "assignments" USING btree ("user_id") WHERE "assignments"."state" IN ('pending', 'active');--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_client_email_uq" ON "assignments" USING btree ("client_email");--> statement-breakpoint
CREATE INDEX "assignments_node_state_idx" ON "assignments" USING btree ("node_id","state");--> statement-breakpoint
CREATE INDEX "assignments_created_idx" ON "assignments" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "vpn_users_username_idx" ON "vpn_users" USING btree (lower("username"));--> statement-breakpoint
CREATE INDEX "cron_runs_started_idx" ON "cron_runs" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "health_checks_node_time_idx" ON "health_checks" USING btree ("node_id","checked_at");--> statement-breakpoint
CREATE INDEX "health_checks_time_idx" ON "health_checks" USING btree ("checked_at");--> statement-breakpoint
CREATE INDEX "health_hourly_hour_idx" ON "health_hourly" USING btree ("hour");--> statement-breakpoint
CREATE INDEX "operation_items_op_status_idx" ON "operation_items" USING btree ("operation_id","status");--> statement-breakpoint
CREATE INDEX "operations_created_idx" ON "operations" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "operations_status_idx" ON "operations" USING btree ("status");--> statement-breakpoint
CREATE INDEX "audit_log_created_idx" ON "audit_log" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "audit_log_target_idx" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "bot_nonces_seen_idx" ON "bot_nonces" USING btree ("seen_at");--> statement-breakpoint
CREATE INDEX "events_created_idx" ON "events" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "events_kind_idx" ON "events" USING btree ("kind","created_at");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_due_idx" ON "webhook_deliveries" USING btree ("status","next_attempt_at");