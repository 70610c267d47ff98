-- Rate-limit counters need no crash safety or replication: losing them forgets a few minutes of
-- hits. Unlogged, a hit writes no WAL, so it never waits for a WAL flush on the bot's hot path.
ALTER TABLE "rate_limit_hits" SET UNLOGGED;
