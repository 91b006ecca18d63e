-- A claim takes the oldest in the pool first, by pool_since and then id
-- (pool.c).  SQLite's index ends in the rowid, which is the id, so it
-- gave that order already; PostgreSQL's does not, and sorted the whole
-- pool for every claim.  The id, named, serves both.
DROP INDEX customers_pool;
CREATE INDEX customers_pool ON customers(pool_id, pool_since, id) WHERE pool_id IS NOT NULL;
