CREATE TABLE `mfa_removals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`confirm_token_hash` text NOT NULL,
	`cancel_token_hash` text NOT NULL,
	`cancel_token` text NOT NULL,
	`created_at` integer NOT NULL,
	`confirm_by` integer NOT NULL,
	`confirmed_at` integer,
	`due_at` integer,
	`cancelled_at` integer,
	`completed_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mfa_removals_confirm_token_hash_unique` ON `mfa_removals` (`confirm_token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `mfa_removals_cancel_token_hash_unique` ON `mfa_removals` (`cancel_token_hash`);--> statement-breakpoint
CREATE INDEX `mfa_removals_user_idx` ON `mfa_removals` (`user_id`);