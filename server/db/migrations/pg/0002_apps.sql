CREATE TABLE "oidc_clients" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text,
	"redirect_uris" jsonb NOT NULL,
	"post_logout_redirect_uris" jsonb NOT NULL,
	"is_public" boolean DEFAULT false NOT NULL,
	"consent" boolean DEFAULT false NOT NULL,
	"disabled_at" bigint,
	"created_at" bigint NOT NULL,
	"created_by_id" integer
);
