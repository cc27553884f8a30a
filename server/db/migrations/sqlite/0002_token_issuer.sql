CREATE TABLE `app_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `password_tokens` ADD `reason` text DEFAULT 'self-service' NOT NULL;--> statement-breakpoint
ALTER TABLE `password_tokens` ADD `issued_by_id` integer;--> statement-breakpoint
-- Hand-added: links issued before issuers were recorded. Copied admin links cannot be checked against
-- their issuer's current permissions, so they are voided; emailed links keep working as self-service ones.
UPDATE `password_tokens` SET `used_at` = CAST(strftime('%s','now') AS INTEGER) * 1000 WHERE `purpose` = 'admin-link' AND `used_at` IS NULL;
--> statement-breakpoint
UPDATE `password_tokens` SET `reason` = 'admin-copy' WHERE `purpose` = 'admin-link';
