-- The rights policy (policy.h) on PostgreSQL, where the server enforces it.
-- Run by the schema's owner after every migration, and by crm-db migrate:
-- it may be run again at will (everything is made or replaced here).
--
-- The acting user is the server login (session_user).  Logins map to crm
-- users by name; crm-user add (crm.sync_login) makes the login if need be
-- and grants it one of two groups of this database:
--   <db>_crm_admin  every table in full: row-level security lets it see
--                   and change every row (a policy of true);
--   <db>_crm_rep    row-level security: its own customers (and their
--                   contacts, fields, follow-ups, deals, history) in full,
--                   the pooled customers of its pools masked, and of every
--                   other customer only the name, company, owner and pool
--                   through the views seen_customers, seen_contacts,
--                   seen_activities, seen_deals and seen_history, which a
--                   rep reads instead of the tables (db_pg.c names them
--                   for it).  The table columns with
--                   contacts (phone, email and their keys) it may not read
--                   at all; the duplicate check (防撞单) asks crm.dup_key(),
--                   which tells the lowest live id sharing a key, no more.
-- Everything that runs with its owner's rights (SECURITY DEFINER) pins its
-- search_path, and checks who calls it where that matters.

CREATE OR REPLACE FUNCTION crm.admin_group() RETURNS name
    LANGUAGE sql STABLE AS $$ SELECT (current_database() || '_crm_admin')::name $$;
CREATE OR REPLACE FUNCTION crm.rep_group() RETURNS name
    LANGUAGE sql STABLE AS $$ SELECT (current_database() || '_crm_rep')::name $$;

DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = crm.admin_group()) THEN
		EXECUTE format('CREATE ROLE %I NOLOGIN', crm.admin_group());
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = crm.rep_group()) THEN
		EXECUTE format('CREATE ROLE %I NOLOGIN', crm.rep_group());
	END IF;
END $$;

-- The session user owns the schema (or is a member of its owner).
CREATE OR REPLACE FUNCTION crm.is_owner() RETURNS boolean
    LANGUAGE sql STABLE AS $$
	SELECT pg_has_role(session_user, nspowner, 'MEMBER')
	FROM pg_namespace WHERE nspname = 'crm' $$;

-- While no active admin exists (a new database) everyone counts as an
-- admin, so a first admin can be made: as the library has it, on the
-- server too.  Every login may then do everything (privileges granted to
-- PUBLIC and a policy of PUBLIC's), until crm.sync_login makes the first
-- admin and takes them back.
CREATE OR REPLACE FUNCTION crm.bootstrap() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND active = 1) $$;

-- Who the session user is here: owner, bootstrap (anyone, while there
-- is no admin), admin, rep, inactive, or none.
CREATE OR REPLACE FUNCTION crm.standing() RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT CASE WHEN crm.is_owner() THEN 'owner'
	    WHEN crm.bootstrap() THEN 'bootstrap'
	    ELSE coalesce((SELECT CASE WHEN active = 0 THEN 'inactive' ELSE role END
	        FROM users WHERE login = session_user), 'none') END $$;

-- New ids go on from the highest there is, as SQLite's do, also after a
-- rolled-back insert took some: a writer that excludes all others calls
-- it when it rolls back (db_pg.c).
CREATE OR REPLACE FUNCTION crm.reset_ids() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT c.relname, a.attname FROM pg_attribute a
	    JOIN pg_class c ON c.oid = a.attrelid
	    JOIN pg_namespace n ON n.oid = c.relnamespace
	    WHERE n.nspname = 'crm' AND a.attname IN ('id', 'rowid')
	    AND a.attidentity <> '' LOOP
		PERFORM crm.reset_id(t.relname, t.attname);
	END LOOP;
END $$;

-- SQLite makes an id for an INTEGER PRIMARY KEY given as NULL, and the
-- programs' INSERTs name id so that a bulk load can give it (customer.c):
-- here a NULL id is the identity's next one, as if left out.
CREATE OR REPLACE FUNCTION crm.fill_id() RETURNS trigger
    LANGUAGE plpgsql SET search_path = crm, pg_temp AS $$
BEGIN
	NEW.id := nextval(pg_get_serial_sequence(quote_ident(TG_TABLE_SCHEMA) || '.' ||
	    quote_ident(TG_TABLE_NAME), 'id'));
	RETURN NEW;
END $$;
DO $$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	    JOIN pg_namespace n ON n.oid = c.relnamespace
	    WHERE n.nspname = 'crm' AND c.relkind = 'r' AND a.attname = 'id'
	    AND a.attidentity <> '' LOOP
		EXECUTE format('DROP TRIGGER IF EXISTS fill_id ON crm.%I', t.relname);
		EXECUTE format('CREATE TRIGGER fill_id BEFORE INSERT ON crm.%I FOR EACH ROW'
		    ' WHEN (NEW.id IS NULL) EXECUTE FUNCTION crm.fill_id()', t.relname);
	END LOOP;
END $$;

-- The user id of the session user, NULL when none or deactivated.
CREATE OR REPLACE FUNCTION crm.uid() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT id FROM users WHERE login = session_user AND active = 1 $$;

-- The pools of the session user, itself or through its team, with its
-- sight into each: 2 an admin of it, 1 a member (crm_pool_is_member/_admin).
CREATE OR REPLACE FUNCTION crm.my_pool_sights() RETURNS TABLE (pool_id bigint,
    sight integer)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT m.pool_id, max(CASE m.role WHEN 'admin' THEN 2 ELSE 1 END)::integer
	FROM pool_members m JOIN users u ON u.login = session_user AND u.active = 1
	WHERE m.user_id = u.id OR m.team_id = u.team_id GROUP BY m.pool_id $$;

-- The session user in pool P: 2, 1, or 0 neither.
CREATE OR REPLACE FUNCTION crm.pool_sight(p bigint) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT coalesce((SELECT sight FROM crm.my_pool_sights() s
	    WHERE s.pool_id = p), 0) $$;

-- The pools the session user sees into, and whether it administers any:
-- the policies ask them once a query, as (SELECT crm.my_pools()), where
-- pool_sight(pool_id) would be asked once a row.
CREATE OR REPLACE FUNCTION crm.my_pools() RETURNS bigint[]
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT coalesce(array_agg(pool_id), '{}') FROM crm.my_pool_sights() $$;
CREATE OR REPLACE FUNCTION crm.admins_a_pool() RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM crm.my_pool_sights() WHERE sight = 2) $$;

-- Is a customer of OWNER in REGION and INDUSTRY covered by a pool the
-- session user administers (pool.c's COVERS)?  Such a pool's admin may
-- reclaim it into the pool, so reads what the rules read, masked.
CREATE OR REPLACE FUNCTION crm.covers(owner bigint, r text, i text) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT owner IS NOT NULL AND EXISTS (SELECT 1 FROM pools q
	    JOIN pool_members m ON m.pool_id = q.id AND m.role = 'member'
	    WHERE crm.pool_sight(q.id) = 2
	    AND (m.user_id = owner OR m.team_id = (SELECT team_id FROM users
	        WHERE id = owner))
	    AND (q.region IS NULL OR q.region = r)
	    AND (q.industry IS NULL OR q.industry = i)) $$;

-- The sight (policy.h) of customer C: 2 full, 1 masked, 0 name only.
CREATE OR REPLACE FUNCTION crm.customer_sight(c bigint) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT coalesce((SELECT CASE WHEN x.owner_id = crm.uid() THEN 2
	    WHEN x.pool_id IS NOT NULL THEN crm.pool_sight(x.pool_id)
	    WHEN crm.covers(x.owner_id, x.region, x.industry) THEN 1 ELSE 0 END
	    FROM customers x WHERE x.id = c), 0) $$;
-- Does the session user own customer C?
CREATE OR REPLACE FUNCTION crm.customer_owned(c bigint) RETURNS boolean
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT EXISTS (SELECT 1 FROM customers x WHERE x.id = c
	    AND x.owner_id = crm.uid()) $$;
-- The sight of the customer of deal D.
CREATE OR REPLACE FUNCTION crm.deal_sight(d bigint) RETURNS integer
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT coalesce((SELECT CASE WHEN owner_id = crm.uid() THEN
	    greatest(crm.customer_sight(customer_id), 1) ELSE
	    crm.customer_sight(customer_id) END FROM deals WHERE id = d), 0) $$;
-- The customer a history row is about: its own, that of its follow-up,
-- deal or contact (as it is now, else as the history last said); -1 for
-- rows about no customer (users, pools, settings).  As crm-export has it.
CREATE OR REPLACE FUNCTION crm.history_customer(e text, i bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT CASE WHEN e = 'customer' THEN i
	    WHEN e <> 'activity' AND e <> 'deal' AND e <> 'contact' THEN -1
	    ELSE coalesce(CASE e
	        WHEN 'activity' THEN (SELECT customer_id FROM activities WHERE id = i)
	        WHEN 'deal' THEN (SELECT customer_id FROM deals WHERE id = i)
	        ELSE (SELECT customer_id FROM contacts WHERE id = i) END,
	        (SELECT CAST(coalesce(x.new_value, x.old_value) AS BIGINT)
	         FROM history x WHERE x.entity = e AND x.entity_id = i
	         AND x.field = 'customer_id' ORDER BY x.id DESC LIMIT 1)) END $$;

-- norm.c's norm_phone: the key a phone number is compared by.
CREATE OR REPLACE FUNCTION crm.norm_phone(s text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	digits text := left(regexp_replace(s, '[^0-9]', '', 'g'), 63);
	plus boolean := s ~ '^[^0-9]*\+';
	d text;
BEGIN
	IF s IS NULL THEN
		RETURN NULL;
	END IF;
	d := digits;
	IF left(d, 4) = '0086' THEN
		d := substr(d, 5);
	ELSIF left(d, 2) = '86' AND (plus OR (length(d) = 13 AND substr(d, 3, 1) = '1')) THEN
		d := substr(d, 3);
	END IF;
	IF d <> digits AND d <> '' AND left(d, 1) <> '0' AND
	    NOT (left(d, 1) = '1' AND length(d) = 11) THEN
		d := '0' || d;	-- +86 21 ...: a landline, its trunk 0 left out
	END IF;
	IF left(d, 2) = '01' AND substr(d, 3, 1) BETWEEN '3' AND '9' AND length(d) = 12 THEN
		d := substr(d, 2);	-- 013812345678: a mobile dialled with a trunk 0
	END IF;
	RETURN CASE WHEN length(d) < 5 THEN NULL ELSE d END;
END $$;

-- policy.c's crm_mask_phone and crm_mask_email.
CREATE OR REPLACE FUNCTION crm.mask_phone(phone text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN phone IS NULL THEN NULL
	    WHEN n >= 11 THEN left(k, 3) || repeat('*', n - 7) || right(k, 4)
	    WHEN n >= 8 THEN left(k, 2) || repeat('*', n - 4) || right(k, 2)
	    WHEN n > 2 THEN repeat('*', n - 2) || right(k, 2)
	    ELSE repeat('*', n) END
	FROM (SELECT k, length(k) AS n FROM (SELECT coalesce(crm.norm_phone(phone),
	    regexp_replace(phone, '[^0-9]', '', 'g')) AS k) a) b $$;
CREATE OR REPLACE FUNCTION crm.mask_email(email text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN email IS NULL THEN NULL
	    WHEN a <= 1 THEN '***'
	    ELSE left(b, 1) || '***' || substr(b, a) END
	FROM (SELECT b, CASE WHEN strpos(b, '@') = 0 THEN 0
	    ELSE length(b) - strpos(reverse(b), '@') + 1 END AS a
	    FROM (SELECT ltrim(email, E' \t') AS b) x) y $$;

-- The same for table T alone, before a writer that excludes all others
-- commits: the tables whose ids it took in blocks or gave itself.
DROP FUNCTION IF EXISTS crm.reset_id(text);
CREATE OR REPLACE FUNCTION crm.reset_id(t text, col text DEFAULT 'id') RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS $$
BEGIN
	EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L),'
	    ' coalesce(max(%I), 0) + 1, false) FROM crm.%I',
	    'crm.' || quote_ident(t), col, col, t);
END $$;

-- Statistics for table T of crm, which a bulk write just filled: the
-- plans of the statements after it (the next import's lookups) would
-- take a table never analyzed for an empty one.  Its owner's to do.
CREATE OR REPLACE FUNCTION crm.analyze(t text) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp AS $$
BEGIN
	EXECUTE format('ANALYZE crm.%I', t);
END $$;

-- The duplicate check (防撞单) for everyone: the lowest live customer id
-- below BELOW, other than BUT, with key K of KIND (phone, email,
-- company) and hash H (norm_key_hash, customer_keys): the customers
-- sharing the hash, then their key compared as text, as customer.c asks
-- on SQLite; a contact's phone and email count as its customer's.
-- PL/pgSQL with one static query per kind, so that each is planned once
-- a session, by its index: a duplicate check is asked once a row.
DROP FUNCTION IF EXISTS crm.dup_key(text, text, bigint, bigint);
CREATE OR REPLACE FUNCTION crm.dup_key(kind text, h bigint, k text, but bigint,
    below bigint) RETURNS bigint
    LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
DECLARE
	a bigint;
	b bigint;
BEGIN
	IF k IS NULL THEN
		RETURN NULL;
	END IF;
	-- LATERAL: by the hash's index, then each customer by its id, even
	-- while an import's own rows have no statistics yet
	IF kind = 'phone' THEN
		SELECT min(c.id) INTO a FROM customer_keys ck CROSS JOIN LATERAL
		    (SELECT id FROM customers WHERE id = ck.customer_id
		    AND phone_key = k AND merged_into IS NULL AND id <> but
		    AND id < below) c WHERE ck.key = h;
		SELECT min(c.id) INTO b FROM contacts t JOIN customers c
		    ON c.id = t.customer_id WHERE t.phone_key = k
		    AND c.merged_into IS NULL AND c.id <> but AND c.id < below;
	ELSIF kind = 'email' THEN
		SELECT min(c.id) INTO a FROM customer_keys ck CROSS JOIN LATERAL
		    (SELECT id FROM customers WHERE id = ck.customer_id
		    AND email_key = k AND merged_into IS NULL AND id <> but
		    AND id < below) c WHERE ck.key = h;
		SELECT min(c.id) INTO b FROM contacts t JOIN customers c
		    ON c.id = t.customer_id WHERE t.email_key = k
		    AND c.merged_into IS NULL AND c.id <> but AND c.id < below;
	ELSE
		SELECT min(c.id) INTO a FROM customer_keys ck CROSS JOIN LATERAL
		    (SELECT id FROM customers WHERE id = ck.customer_id
		    AND company_key = k AND merged_into IS NULL AND id <> but
		    AND id < below) c WHERE ck.key = h;
	END IF;
	RETURN least(a, b);
END $$;

-- The same for many keys at once, a bulk import's: for each I of the
-- arrays, the lowest live customer id below BELOW with the key of hash
-- HS[I] (its kind in the low two bits, norm_key_hash) and text KS[I],
-- with what a refusal names of it (its owner, pool and batch, which
-- seen_customers shows a rep too); the keys found only.  One call for
-- some hundred rows of an import, where crm.dup_key is one per row: and
-- a rep never reads the hashes.
DROP FUNCTION IF EXISTS crm.dup_keys(bigint[], text[], bigint);
CREATE FUNCTION crm.dup_keys(hs bigint[], ks text[], below bigint)
    RETURNS TABLE (i integer, id bigint, owner_id bigint, pool_id bigint,
    batch_id bigint)
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = crm, pg_temp AS $$
	SELECT m.i::integer, c.id, c.owner_id, c.pool_id, c.batch_id FROM (
	    SELECT u.i, min(x.id) AS id
	    FROM unnest(hs, ks) WITH ORDINALITY u(h, k, i)
	    CROSS JOIN LATERAL (
	        SELECT c.id FROM customer_keys ck CROSS JOIN LATERAL
	            (SELECT id FROM customers WHERE id = ck.customer_id
	            AND merged_into IS NULL AND id < below AND CASE u.h & 3
	            WHEN 0 THEN phone_key WHEN 1 THEN email_key
	            ELSE company_key END = u.k) c
	        WHERE ck.key = u.h
	        UNION ALL SELECT c.id FROM contacts t JOIN customers c
	            ON c.id = t.customer_id WHERE u.h & 3 = 0 AND t.phone_key = u.k
	            AND c.merged_into IS NULL AND c.id < below
	        UNION ALL SELECT c.id FROM contacts t JOIN customers c
	            ON c.id = t.customer_id WHERE u.h & 3 = 1 AND t.email_key = u.k
	            AND c.merged_into IS NULL AND c.id < below) x
	    GROUP BY u.i) m
	JOIN customers c ON c.id = m.id $$;

-- Make LOGIN (renamed from OLD, or NULL) a crm login of ROLE: the server
-- login is made when there is none (roles are the cluster's, so one that
-- exists is reused), and granted the admin or rep group of this
-- database; a deactivated user keeps neither.  Only an admin or the
-- owner may.
CREATE OR REPLACE FUNCTION crm.sync_login(old text, login text, role text,
    active boolean) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp
    SET client_min_messages = error AS $$
BEGIN
	IF NOT (crm.is_owner() OR pg_has_role(session_user, crm.admin_group(), 'MEMBER')) THEN
		RAISE EXCEPTION 'permission denied: only an admin makes logins'
		    USING ERRCODE = '42501';
	END IF;
	IF old IS NOT NULL AND old <> login AND
	    EXISTS (SELECT 1 FROM pg_roles WHERE rolname = old) THEN
		EXECUTE format('REVOKE %I, %I FROM %I', crm.admin_group(),
		    crm.rep_group(), old);
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = login) THEN
		EXECUTE format('CREATE ROLE %I LOGIN', login);
	END IF;
	IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = login) THEN
		EXECUTE format('REVOKE %I, %I FROM %I', crm.admin_group(),
		    crm.rep_group(), login);
		IF active THEN
			EXECUTE format('GRANT %I TO %I', CASE role WHEN 'admin'
			    THEN crm.admin_group() ELSE crm.rep_group() END, login);
		END IF;
	END IF;
	PERFORM crm.public_rights();
END $$;

-- What PUBLIC may: everything while bootstrapping, else only ask who it
-- is here (crm.standing) and which schema this is (crm_meta).
CREATE OR REPLACE FUNCTION crm.public_rights() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = crm, pg_temp
    SET client_min_messages = error AS $$
BEGIN
	IF crm.bootstrap() THEN
		GRANT ALL ON ALL TABLES IN SCHEMA crm TO PUBLIC;
		GRANT ALL ON ALL SEQUENCES IN SCHEMA crm TO PUBLIC;
		GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crm TO PUBLIC;
	ELSE
		REVOKE ALL ON ALL TABLES IN SCHEMA crm FROM PUBLIC;
		REVOKE ALL ON ALL SEQUENCES IN SCHEMA crm FROM PUBLIC;
		REVOKE ALL ON ALL FUNCTIONS IN SCHEMA crm FROM PUBLIC;
		GRANT SELECT ON crm.crm_meta TO PUBLIC;
		GRANT EXECUTE ON FUNCTION crm.standing(), crm.is_owner(), crm.bootstrap(),
		    crm.admin_group(), crm.rep_group() TO PUBLIC;
	END IF;
END $$;

-- ---- privileges ------------------------------------------------------

GRANT USAGE ON SCHEMA crm TO PUBLIC;

DO $$
DECLARE
	adm name := crm.admin_group();
	rep name := crm.rep_group();
	t text;
BEGIN
	EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA crm TO %I', adm);
	EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA crm TO %I', adm);
	EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA crm TO %I, %I', adm, rep);
	EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA crm TO %I', rep);
	-- tables a rep reads whole
	FOREACH t IN ARRAY ARRAY['teams', 'users', 'pools', 'pool_members', 'batches',
	    'custom_fields', 'customer_fields', 'activities', 'stages', 'deals',
	    'deal_stages', 'targets', 'merges', 'rr_cursors', 'wrr_state', 'config',
	    'crm_meta'] LOOP
		IF to_regclass('crm.' || t) IS NOT NULL THEN
			EXECUTE format('REVOKE ALL ON crm.%I FROM %I', t, rep);
			EXECUTE format('GRANT SELECT ON crm.%I TO %I', t, rep);
		END IF;
	END LOOP;
	-- and changes, as the policies below allow
	FOREACH t IN ARRAY ARRAY['batches', 'custom_fields', 'customer_fields',
	    'activities', 'deals', 'deal_stages', 'merges', 'rr_cursors', 'wrr_state',
	    'pools', 'pool_members'] LOOP
		EXECUTE format('GRANT INSERT, UPDATE, DELETE ON crm.%I TO %I', t, rep);
	END LOOP;
	-- the duplicate keys' hashes (migration 007): written by every
	-- import and change of keys; read, as the policies below let it
	IF to_regclass('crm.customer_keys') IS NOT NULL THEN
		EXECUTE format('GRANT SELECT, INSERT, DELETE ON crm.customer_keys TO %I', rep);
	END IF;
	-- tables with contacts: every column but those
	FOREACH t IN ARRAY ARRAY['customers', 'contacts', 'history'] LOOP
		EXECUTE format('REVOKE ALL ON crm.%I FROM %I', t, rep);
		EXECUTE format('GRANT INSERT, UPDATE, DELETE ON crm.%I TO %I', t, rep);
		EXECUTE (SELECT format('GRANT SELECT (%s) ON crm.%I TO %I',
		    string_agg(quote_ident(attname), ', '), t, rep)
		    FROM pg_attribute WHERE attrelid = ('crm.' || t)::regclass
		    AND attnum > 0 AND NOT attisdropped
		    AND attname NOT IN ('phone', 'email', 'phone_key', 'email_key',
		        'old_value', 'new_value')
		    AND attname NOT LIKE '%hash%');
	END LOOP;
END $$;

-- ---- row-level security ----------------------------------------------

DO $$
DECLARE
	adm name := crm.admin_group();
	rep name := crm.rep_group();
	t text;
	p record;
	-- a customer row a rep sees, and one it may hold (its own, or pooled
	-- in one of its pools)
	seen text := 'owner_id = (SELECT crm.uid())'
	    ' OR pool_id = ANY ((SELECT crm.my_pools())::bigint[])'
	    ' OR (owner_id IS NOT NULL AND (SELECT crm.admins_a_pool())'
	    ' AND crm.covers(owner_id, region, industry))';
	kept text := '(owner_id = (SELECT crm.uid()) OR (owner_id IS NULL'
	    ' AND pool_id = ANY ((SELECT crm.my_pools())::bigint[])))';
BEGIN
	-- start afresh: policies are made again below
	FOR p IN SELECT policyname, tablename FROM pg_policies WHERE schemaname = 'crm' LOOP
		EXECUTE format('DROP POLICY %I ON crm.%I', p.policyname, p.tablename);
	END LOOP;
	FOREACH t IN ARRAY ARRAY['customers', 'contacts', 'customer_fields', 'activities',
	    'deals', 'deal_stages', 'history', 'batches', 'merges', 'pools',
	    'pool_members'] LOOP
		EXECUTE format('ALTER TABLE crm.%I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('CREATE POLICY admin_all ON crm.%I TO %I USING (true)'
		    ' WITH CHECK (true)', t, adm);
		EXECUTE format('CREATE POLICY bootstrap_all ON crm.%I USING'
		    ' ((SELECT crm.bootstrap())) WITH CHECK ((SELECT crm.bootstrap()))', t);
	END LOOP;

	-- customers: its own and the pooled ones of its pools; it adds its own
	-- or into its pools, changes its own, claims pooled ones (becoming the
	-- owner), releases its own into its pools, and as a pool's admin
	-- reclaims into it what it covers; removes only what it made in this
	-- very transaction (a duplicate taken out again).
	-- Who the rep is, its pools, whether it administers one: asked once
	-- a query (initplans), not once a row; crm.covers, a search of its
	-- own, only for an owned customer and a pool's admin.
	EXECUTE format('CREATE POLICY rep_read ON crm.customers FOR SELECT TO %I'
	    ' USING (%s)', rep, seen);
	EXECUTE format('CREATE POLICY rep_add ON crm.customers FOR INSERT TO %I'
	    ' WITH CHECK (%s)', rep, kept);
	EXECUTE format('CREATE POLICY rep_change ON crm.customers FOR UPDATE TO %I'
	    ' USING (%s) WITH CHECK (%s OR (merged_into IS NOT NULL'
	    ' AND owner_id IS NULL AND pool_id IS NULL))', rep, seen, kept);
	EXECUTE format('CREATE POLICY rep_remove ON crm.customers FOR DELETE TO %I'
	    ' USING (xmin = pg_current_xact_id()::xid)', rep);

	-- the keys' hashes: a company's for all (its name is no secret), a
	-- phone's or email's where the rep sees the contacts anyway (a hash
	-- of a phone is guessed offline); added by any writer (a hash that
	-- lies finds nothing: crm.dup_key compares the text), removed by the
	-- customer's owner or in the transaction that added it
	IF to_regclass('crm.customer_keys') IS NOT NULL THEN
		ALTER TABLE crm.customer_keys ENABLE ROW LEVEL SECURITY;
		EXECUTE format('CREATE POLICY admin_all ON crm.customer_keys TO %I'
		    ' USING (true) WITH CHECK (true)', adm);
		EXECUTE 'CREATE POLICY bootstrap_all ON crm.customer_keys USING'
		    ' ((SELECT crm.bootstrap())) WITH CHECK ((SELECT crm.bootstrap()))';
		EXECUTE format('CREATE POLICY rep_read ON crm.customer_keys FOR SELECT'
		    ' TO %I USING (key & 3 = 2 OR crm.customer_sight(customer_id) = 2)', rep);
		EXECUTE format('CREATE POLICY rep_add ON crm.customer_keys FOR INSERT'
		    ' TO %I WITH CHECK (true)', rep);
		EXECUTE format('CREATE POLICY rep_remove ON crm.customer_keys FOR DELETE'
		    ' TO %I USING (crm.customer_owned(customer_id)'
		    ' OR xmin = pg_current_xact_id()::xid)', rep);
	END IF;

	-- what belongs to a customer: seen with it, changed by its owner
	FOREACH t IN ARRAY ARRAY['contacts', 'customer_fields', 'activities'] LOOP
		EXECUTE format('CREATE POLICY rep_read ON crm.%I FOR SELECT TO %I'
		    ' USING (crm.customer_sight(customer_id) > 0)', t, rep);
		EXECUTE format('CREATE POLICY rep_add ON crm.%I FOR INSERT TO %I'
		    ' WITH CHECK (crm.customer_owned(customer_id))', t, rep);
		EXECUTE format('CREATE POLICY rep_change ON crm.%I FOR UPDATE TO %I'
		    ' USING (crm.customer_owned(customer_id))'
		    ' WITH CHECK (crm.customer_owned(customer_id))', t, rep);
		EXECUTE format('CREATE POLICY rep_remove ON crm.%I FOR DELETE TO %I'
		    ' USING (crm.customer_owned(customer_id))', t, rep);
	END LOOP;
	-- deals follow their customer's owner: into a pool they become nobody's
	EXECUTE format('CREATE POLICY rep_read ON crm.deals FOR SELECT TO %I'
	    ' USING (crm.customer_sight(customer_id) > 0 OR owner_id = crm.uid())', rep);
	EXECUTE format('CREATE POLICY rep_add ON crm.deals FOR INSERT TO %I'
	    ' WITH CHECK (crm.customer_owned(customer_id))', rep);
	EXECUTE format('CREATE POLICY rep_change ON crm.deals FOR UPDATE TO %I'
	    ' USING (crm.customer_owned(customer_id) OR owner_id = crm.uid())'
	    ' WITH CHECK (crm.customer_sight(customer_id) > 0)', rep);
	EXECUTE format('CREATE POLICY rep_remove ON crm.deals FOR DELETE TO %I'
	    ' USING (crm.customer_owned(customer_id))', rep);
	EXECUTE format('CREATE POLICY rep_read ON crm.deal_stages FOR SELECT TO %I'
	    ' USING (crm.deal_sight(deal_id) > 0)', rep);
	EXECUTE format('CREATE POLICY rep_write ON crm.deal_stages FOR ALL TO %I'
	    ' USING (crm.deal_sight(deal_id) = 2) WITH CHECK (crm.deal_sight(deal_id) = 2)', rep);

	-- history: what it did, and what it may see of customers; it writes
	-- rows in its own name, and removes only rows of this transaction
	EXECUTE format('CREATE POLICY rep_read ON crm.history FOR SELECT TO %I'
	    ' USING (actor = session_user OR crm.customer_sight('
	    'crm.history_customer(entity, entity_id)) > 0'
	    ' OR crm.history_customer(entity, entity_id) = -1)', rep);
	EXECUTE format('CREATE POLICY rep_add ON crm.history FOR INSERT TO %I'
	    ' WITH CHECK (actor = session_user)', rep);
	EXECUTE format('CREATE POLICY rep_remove ON crm.history FOR DELETE TO %I'
	    ' USING (xmin = pg_current_xact_id()::xid)', rep);
	-- batches: all seen (no customer data), its own written
	EXECUTE format('CREATE POLICY rep_read ON crm.batches FOR SELECT TO %I'
	    ' USING (true)', rep);
	EXECUTE format('CREATE POLICY rep_add ON crm.batches FOR INSERT TO %I'
	    ' WITH CHECK (actor = session_user)', rep);
	EXECUTE format('CREATE POLICY rep_change ON crm.batches FOR UPDATE TO %I'
	    ' USING (actor = session_user) WITH CHECK (actor = session_user)', rep);
	EXECUTE format('CREATE POLICY rep_read ON crm.merges FOR SELECT TO %I'
	    ' USING (true)', rep);
	EXECUTE format('CREATE POLICY rep_write ON crm.merges FOR ALL TO %I'
	    ' USING (crm.customer_owned(keep_id)) WITH CHECK (crm.customer_owned(keep_id))', rep);
	-- pools: all seen; a pool's admins configure it
	EXECUTE format('CREATE POLICY rep_read ON crm.pools FOR SELECT TO %I'
	    ' USING (true)', rep);
	EXECUTE format('CREATE POLICY rep_change ON crm.pools FOR UPDATE TO %I'
	    ' USING (crm.pool_sight(id) = 2) WITH CHECK (crm.pool_sight(id) = 2)', rep);
	EXECUTE format('CREATE POLICY rep_read ON crm.pool_members FOR SELECT TO %I'
	    ' USING (true)', rep);
	EXECUTE format('CREATE POLICY rep_write ON crm.pool_members FOR ALL TO %I'
	    ' USING (crm.pool_sight(pool_id) = 2) WITH CHECK (crm.pool_sight(pool_id) = 2)', rep);
END $$;

-- ---- what a rep reads instead of the tables ---------------------------
--
-- Views run with their owner's rights: they show every row of the table,
-- as the library's own reads need (a refusal names whose customer it
-- is), with each column as much as the sight of its customer allows:
-- its key columns (id, customer_id; a customer's name, company, owner,
-- pool) always, contacts (phone, email) in full to the owner, masked to
-- the pool's members, and everything else from the masked sight up.
-- Made from the catalog, so a column a later migration adds is covered.

DO $$
DECLARE
	rep name := crm.rep_group();
	t text;
	cols text;
	-- the sight of customer row c: 2 full, 1 masked, 0 name only
	sight text := 'CASE WHEN c.owner_id = (SELECT id FROM me) THEN 2'
	    ' WHEN c.pool_id IS NOT NULL THEN coalesce((SELECT s FROM mine'
	    ' WHERE mine.pool_id = c.pool_id), 0)'
	    ' WHEN c.owner_id IS NOT NULL AND (SELECT count(*) FROM mine WHERE s = 2) > 0'
	    ' AND crm.covers(c.owner_id, c.region, c.industry) THEN 1 ELSE 0 END';
	mine text := 'WITH me AS (SELECT id FROM crm.users'
	    ' WHERE login = session_user AND active = 1),'
	    ' mine AS (SELECT pool_id, sight AS s FROM crm.my_pool_sights()) ';
BEGIN
	DROP VIEW IF EXISTS crm.seen_customers, crm.seen_contacts, crm.seen_activities,
	    crm.seen_deals, crm.seen_history;
	FOREACH t IN ARRAY ARRAY['customers', 'contacts', 'activities', 'deals'] LOOP
		SELECT string_agg(CASE
		    WHEN attname IN ('id', 'customer_id') OR (t = 'customers' AND
		        attname IN ('name', 'company', 'owner_id', 'pool_id',
		        'merged_into', 'company_key')) THEN format('t.%I', attname)
		    WHEN attname = 'phone' THEN 'CASE v.sight WHEN 2 THEN t.phone'
		        ' WHEN 1 THEN crm.mask_phone(t.phone) END AS phone'
		    WHEN attname = 'email' THEN 'CASE v.sight WHEN 2 THEN t.email'
		        ' WHEN 1 THEN crm.mask_email(t.email) END AS email'
		    WHEN attname IN ('phone_key', 'email_key') OR attname LIKE '%hash%' THEN
		        format('CASE WHEN v.sight = 2 THEN t.%1$I END AS %1$I', attname)
		    ELSE format('CASE WHEN v.sight > 0 THEN t.%1$I END AS %1$I', attname) END,
		    ', ' ORDER BY attnum) INTO cols
		FROM pg_attribute WHERE attrelid = ('crm.' || t)::regclass
		    AND attnum > 0 AND NOT attisdropped;
		EXECUTE format('CREATE VIEW crm.%I AS ', 'seen_' || t) || mine ||
		    'SELECT ' || cols || format(' FROM crm.%I t ', t) ||
		    CASE WHEN t = 'customers' THEN 'CROSS JOIN LATERAL (SELECT t.owner_id,'
		        ' t.pool_id, t.region, t.industry) c'
		    ELSE 'JOIN crm.customers c ON c.id = t.customer_id' END ||
		    ' CROSS JOIN LATERAL (SELECT ' || CASE WHEN t = 'deals' THEN
		        -- a rep's own deal, whoever holds its customer now: its
		        -- reports cover its own work
		        'CASE WHEN t.owner_id = (SELECT id FROM me) THEN 2 ELSE '
		        || sight || ' END' ELSE sight END || ' AS sight) v';
	END LOOP;

	SELECT string_agg(CASE
	    WHEN attname IN ('old_value', 'new_value') THEN format('CASE'
	        ' WHEN v.sight = 2 OR h.actor = session_user THEN h.%1$I'
	        ' WHEN v.sight = 0 THEN NULL'
	        ' WHEN h.field = ''phone'' THEN crm.mask_phone(h.%1$I)'
	        ' WHEN h.field = ''email'' THEN crm.mask_email(h.%1$I)'
	        ' ELSE h.%1$I END AS %1$I', attname)
	    ELSE format('h.%I', attname) END, ', ' ORDER BY attnum) INTO cols
	FROM pg_attribute WHERE attrelid = 'crm.history'::regclass
	    AND attnum > 0 AND NOT attisdropped;
	EXECUTE 'CREATE VIEW crm.seen_history AS SELECT '
	    || cols || ' FROM crm.history h CROSS JOIN LATERAL (SELECT'
	    ' crm.history_customer(h.entity, h.entity_id) AS cust) k'
	    ' CROSS JOIN LATERAL (SELECT CASE WHEN k.cust = -1 THEN 2'
	    ' ELSE crm.customer_sight(k.cust) END AS sight) v';

	EXECUTE format('GRANT SELECT ON crm.seen_customers, crm.seen_contacts,'
	    ' crm.seen_activities, crm.seen_deals, crm.seen_history TO %I, %I',
	    rep, crm.admin_group());
END $$;

SELECT crm.public_rights();
