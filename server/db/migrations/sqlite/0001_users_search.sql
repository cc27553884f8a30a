-- Substring search over username, name and email that stays fast at 100,000+ users: an FTS5 trigram index
-- kept in step with the users table by triggers (external content, so nothing is stored twice).
CREATE VIRTUAL TABLE `users_fts` USING fts5(username, name, email, content='users', content_rowid='id', tokenize='trigram');
--> statement-breakpoint
INSERT INTO `users_fts`(rowid, username, name, email) SELECT id, username, name, coalesce(email, '') FROM users;
--> statement-breakpoint
CREATE TRIGGER `users_fts_ai` AFTER INSERT ON `users` BEGIN
  INSERT INTO `users_fts`(rowid, username, name, email) VALUES (new.id, new.username, new.name, coalesce(new.email, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `users_fts_ad` AFTER DELETE ON `users` BEGIN
  INSERT INTO `users_fts`(`users_fts`, rowid, username, name, email) VALUES ('delete', old.id, old.username, old.name, coalesce(old.email, ''));
END;
--> statement-breakpoint
CREATE TRIGGER `users_fts_au` AFTER UPDATE OF username, name, email ON `users` BEGIN
  INSERT INTO `users_fts`(`users_fts`, rowid, username, name, email) VALUES ('delete', old.id, old.username, old.name, coalesce(old.email, ''));
  INSERT INTO `users_fts`(rowid, username, name, email) VALUES (new.id, new.username, new.name, coalesce(new.email, ''));
END;
