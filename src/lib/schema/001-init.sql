-- The whole domain.  Portable SQL (SQLite and PostgreSQL): integer keys,
-- text times in UTC ISO 8601 ("2026-11-22T09:30:00Z"), money in integer
-- minor units with a currency.  History is append-only.  CHECKs list
-- values with OR, not IN: SQLite builds a temporary index for an IN list
-- on every row written, which made inserts several times slower.

CREATE TABLE teams (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	login TEXT NOT NULL UNIQUE,
	name TEXT,
	email TEXT,
	team_id INTEGER REFERENCES teams(id),
	role TEXT NOT NULL DEFAULT 'rep' CHECK (role = 'admin' OR role = 'rep'),
	regions TEXT,			-- comma-separated tags
	industries TEXT,
	capacity INTEGER CHECK (capacity IS NULL OR capacity >= 0),
	weight INTEGER NOT NULL DEFAULT 1 CHECK (weight >= 0),
	away_from TEXT,
	away_until TEXT,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active = 0 OR active = 1),
	created_at TEXT NOT NULL
);
CREATE INDEX users_team ON users(team_id);

CREATE TABLE pools (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	no_followup_days INTEGER,
	no_deal_days INTEGER,
	not_won_days INTEGER,
	warn_days INTEGER,
	claim_limit INTEGER,
	max_owned INTEGER,
	lockout_days INTEGER,
	cooling_days INTEGER,
	exempt TEXT,			-- comma-separated: locked, won, open_deal
	grade_days TEXT,		-- "A=60,B=30": per-grade no-follow-up limits
	created_at TEXT NOT NULL
);

CREATE TABLE pool_members (
	pool_id INTEGER NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
	team_id INTEGER REFERENCES teams(id),
	user_id INTEGER REFERENCES users(id),
	role TEXT NOT NULL DEFAULT 'member' CHECK (role = 'member' OR role = 'admin'),
	CHECK ((team_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX pool_members_pool ON pool_members(pool_id);

-- One row per command run that changed anything: the unit of undo.
CREATE TABLE batches (
	id INTEGER PRIMARY KEY,
	command TEXT NOT NULL,
	actor TEXT NOT NULL,
	at TEXT NOT NULL,
	source TEXT,			-- input file of an import
	rows INTEGER,
	undone_by INTEGER REFERENCES batches(id)
);

-- A lead is a customer in status 'lead'.
CREATE TABLE customers (
	id INTEGER PRIMARY KEY,
	name TEXT,
	company TEXT,
	phone TEXT,
	email TEXT,
	region TEXT,
	industry TEXT,
	source TEXT,
	status TEXT NOT NULL DEFAULT 'lead'
	    CHECK (status = 'lead' OR status = 'qualified' OR status = 'customer' OR status = 'disqualified'),
	status_reason TEXT,
	grade TEXT,
	score INTEGER,
	owner_id INTEGER REFERENCES users(id),
	owner_since TEXT,		-- start of the reclaim clock
	pool_id INTEGER REFERENCES pools(id),
	pool_since TEXT,
	prev_owner_id INTEGER REFERENCES users(id),	-- who lost it to the pool
	locked INTEGER NOT NULL DEFAULT 0 CHECK (locked = 0 OR locked = 1),
	last_activity_at TEXT,
	next_due_at TEXT,
	phone_key TEXT,
	email_key TEXT,
	company_key TEXT,
	merged_into INTEGER REFERENCES customers(id),
	batch_id INTEGER REFERENCES batches(id),
	created_by TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	CHECK (owner_id IS NULL OR pool_id IS NULL)	-- owned or pooled, never both
);
CREATE INDEX customers_phone_key ON customers(phone_key) WHERE phone_key IS NOT NULL AND merged_into IS NULL;
CREATE INDEX customers_email_key ON customers(email_key) WHERE email_key IS NOT NULL AND merged_into IS NULL;
CREATE INDEX customers_company_key ON customers(company_key) WHERE company_key IS NOT NULL AND merged_into IS NULL;
CREATE INDEX customers_owner ON customers(owner_id, owner_since) WHERE owner_id IS NOT NULL;
CREATE INDEX customers_pool ON customers(pool_id, pool_since) WHERE pool_id IS NOT NULL;

-- Columns of imported records that are not ours: kept, and listed back.
CREATE TABLE custom_fields (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
CREATE TABLE customer_fields (
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	field_id INTEGER NOT NULL REFERENCES custom_fields(id),
	value TEXT,
	PRIMARY KEY (customer_id, field_id)
);

CREATE TABLE contacts (
	id INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	name TEXT,
	title TEXT,
	phone TEXT,
	email TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX contacts_customer ON contacts(customer_id);

-- Follow-ups (跟进): done ones have at; planned ones have due_at and no done_at.
CREATE TABLE activities (
	id INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	user_id INTEGER REFERENCES users(id),
	kind TEXT NOT NULL
	    CHECK (kind = 'call' OR kind = 'visit' OR kind = 'meeting' OR kind = 'email' OR kind = 'wechat' OR kind = 'note'),
	at TEXT,
	note TEXT,
	next_step TEXT,
	due_at TEXT,
	done_at TEXT,
	batch_id INTEGER REFERENCES batches(id),
	created_at TEXT NOT NULL
);
CREATE INDEX activities_customer ON activities(customer_id, at);
CREATE INDEX activities_user ON activities(user_id, at);
CREATE INDEX activities_due ON activities(due_at) WHERE due_at IS NOT NULL AND done_at IS NULL;

CREATE TABLE stages (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	position INTEGER NOT NULL,
	probability INTEGER NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
	outcome TEXT NOT NULL DEFAULT 'open' CHECK (outcome = 'open' OR outcome = 'won' OR outcome = 'lost')
);
INSERT INTO stages (name, position, probability, outcome) VALUES
	('new', 1, 10, 'open'),
	('qualified', 2, 30, 'open'),
	('proposal', 3, 60, 'open'),
	('negotiation', 4, 80, 'open'),
	('won', 5, 100, 'won'),
	('lost', 6, 0, 'lost');

CREATE TABLE deals (
	id INTEGER PRIMARY KEY,
	customer_id INTEGER NOT NULL REFERENCES customers(id),
	owner_id INTEGER REFERENCES users(id),
	title TEXT NOT NULL,
	amount INTEGER,			-- minor units (分)
	currency TEXT NOT NULL DEFAULT 'CNY',
	stage_id INTEGER NOT NULL REFERENCES stages(id),
	stage_since TEXT NOT NULL,
	expected_close TEXT,
	closed_at TEXT,
	lost_reason TEXT,
	created_at TEXT NOT NULL
);
CREATE INDEX deals_customer ON deals(customer_id);
CREATE INDEX deals_owner ON deals(owner_id, closed_at);

CREATE TABLE targets (
	id INTEGER PRIMARY KEY,
	user_id INTEGER REFERENCES users(id),
	team_id INTEGER REFERENCES teams(id),
	period TEXT NOT NULL,		-- "2026-11", "2026-Q4", "2026"
	amount INTEGER NOT NULL,
	currency TEXT NOT NULL DEFAULT 'CNY',
	CHECK ((user_id IS NULL) <> (team_id IS NULL))
);

-- Append-only: every change of owner, pool, status, stage or score.
CREATE TABLE history (
	id INTEGER PRIMARY KEY,
	entity TEXT NOT NULL,		-- customer, deal, activity, contact, user
	entity_id INTEGER NOT NULL,
	field TEXT NOT NULL,
	old_value TEXT,
	new_value TEXT,
	actor TEXT NOT NULL,
	at TEXT NOT NULL,
	reason TEXT,
	command TEXT NOT NULL,
	batch_id INTEGER REFERENCES batches(id)
);
CREATE INDEX history_entity ON history(entity, entity_id, at);
CREATE INDEX history_batch ON history(batch_id);
CREATE INDEX history_claims ON history(command, actor, at);

CREATE TABLE merges (
	id INTEGER PRIMARY KEY,
	keep_id INTEGER NOT NULL REFERENCES customers(id),
	dup_id INTEGER NOT NULL REFERENCES customers(id),
	batch_id INTEGER NOT NULL REFERENCES batches(id),
	at TEXT NOT NULL,
	undone_at TEXT
);
CREATE INDEX merges_dup ON merges(dup_id);

-- Where round-robin over a set of reps stopped; key names the set.
CREATE TABLE rr_cursors (
	key TEXT PRIMARY KEY,
	last_user_id INTEGER
);
