ALTER TABLE "sessions" ADD COLUMN "amr" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "email_verified_at" bigint;