-- crm-pool: which customers a pool reclaims may be narrowed to a region
-- or an industry (NULL: any).  When several pools have the owner among
-- their members, the first by id whose filters match the customer wins.
ALTER TABLE pools ADD COLUMN region TEXT;
ALTER TABLE pools ADD COLUMN industry TEXT;
CREATE INDEX pool_members_user ON pool_members(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX pool_members_team ON pool_members(team_id) WHERE team_id IS NOT NULL;
