-- crm-assign --weighted: the smooth weighted round-robin state (each
-- user's current weight) per set of users, so that it stays fair from
-- one run to the next as rr_cursors does for round-robin.  KEY names the
-- set as rr_cursors.key does ("team:east", "li,wang").
CREATE TABLE wrr_state (
	key TEXT NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users(id),
	current INTEGER NOT NULL,
	PRIMARY KEY (key, user_id)
);
