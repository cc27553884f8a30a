CREATE TABLE `oidc_payloads` (
	`model` text NOT NULL,
	`id` text NOT NULL,
	`payload` text NOT NULL,
	`user_id` integer,
	`grant_id` text,
	`client_id` text,
	`uid` text,
	`expires_at` integer,
	`consumed_at` integer,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`model`, `id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `oidc_payloads_user_idx` ON `oidc_payloads` (`user_id`);--> statement-breakpoint
CREATE INDEX `oidc_payloads_grant_idx` ON `oidc_payloads` (`grant_id`);--> statement-breakpoint
CREATE INDEX `oidc_payloads_expires_idx` ON `oidc_payloads` (`expires_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `oidc_payloads_uid_uq` ON `oidc_payloads` (`model`,`uid`);--> statement-breakpoint
ALTER TABLE `users` ADD `subject` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_subject_uq` ON `users` (`subject`);