CREATE TABLE "move_rate_bucket" (
	"id" integer PRIMARY KEY NOT NULL,
	"tokens" double precision NOT NULL,
	"refilled_at" timestamp with time zone NOT NULL,
	CONSTRAINT "move_rate_bucket_single_row" CHECK ("move_rate_bucket"."id" = 1)
);
