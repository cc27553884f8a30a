CREATE TABLE `email_changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`old_email` text,
	`new_email` text NOT NULL,
	`confirm_token_hash` text NOT NULL,
	`undo_token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`confirm_by` integer NOT NULL,
	`undo_by` integer NOT NULL,
	`confirmed_at` integer,
	`ended_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `email_changes_user_idx` ON `email_changes` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `email_changes_confirm_idx` ON `email_changes` (`confirm_token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `email_changes_undo_idx` ON `email_changes` (`undo_token_hash`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `elevated_until` integer;