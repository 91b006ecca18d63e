-- Every column that refers to a customer is indexed, so that removing a
-- customer (a duplicate taken out again by a bulk import) or merging one
-- need not scan a table to check the foreign keys.  The partial index is
-- all but empty: only merged customers have merged_into.
CREATE INDEX customers_merged_into ON customers(merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX merges_keep ON merges(keep_id);
