ALTER TABLE `sessions` ADD `amr` text;--> statement-breakpoint
ALTER TABLE `users` ADD `email_verified_at` integer;