CREATE TABLE `webauthn_challenges` (
	`key` text PRIMARY KEY NOT NULL,
	`challenge` text NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `credential_id` text;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `public_key` text;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `counter` integer;--> statement-breakpoint
ALTER TABLE `mfa_factors` ADD `transports` text;--> statement-breakpoint
CREATE UNIQUE INDEX `mfa_factors_credential_uq` ON `mfa_factors` (`credential_id`);