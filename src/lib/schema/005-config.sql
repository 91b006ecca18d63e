-- Site settings, set with crm-db config: the time zone whose days "today",
-- claim limits and dates without an offset mean (timezone, an IANA name),
-- and whether anyone may move the clock (test-clock, "on" or "off").
CREATE TABLE config (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
