-- Duplicate keys as 64-bit integers (norm_key_hash: a hash of the
-- normalized text with its kind, phone 0, email 1, company 2, in the low
-- two bits), one row per key of every customer, merged ones too.  A key
-- is found by its integer and then compared as text (customers.phone_key,
-- ...), so a collision of hashes never makes a duplicate.  One narrow
-- table instead of three indexes over the wide customers rows: a bulk
-- import writes its keys here in key order, one pass, where building an
-- index sorts the whole table once per key.  No foreign key: deleting a
-- customer would have to search this table for it, so whoever deletes a
-- customer deletes its keys (customer.c).  db.c fills the table for the
-- customers already there, in C.
CREATE TABLE customer_keys (
	key INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	PRIMARY KEY (key, customer_id)
) WITHOUT ROWID;
DROP INDEX customers_phone_key;
DROP INDEX customers_email_key;
DROP INDEX customers_company_key;
