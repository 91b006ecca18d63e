-- Deals (商机), scoring and contacts, as crm-deal and crm-score keep them.
--
-- Stages carry a Chinese label beside the English name; input accepts either.
ALTER TABLE stages ADD COLUMN label TEXT;
UPDATE stages SET label = CASE name WHEN 'new' THEN '初步接洽'
	WHEN 'qualified' THEN '需求确认' WHEN 'proposal' THEN '方案报价'
	WHEN 'negotiation' THEN '谈判' WHEN 'won' THEN '赢单' WHEN 'lost' THEN '输单' END;

ALTER TABLE deals ADD COLUMN product TEXT;
ALTER TABLE deals ADD COLUMN source TEXT;
ALTER TABLE deals ADD COLUMN external_id TEXT;	-- an id from another CRM's export
ALTER TABLE deals ADD COLUMN predicted INTEGER;	-- crm-score predict: win chance, 1/10000
ALTER TABLE deals ADD COLUMN batch_id INTEGER REFERENCES batches(id);
ALTER TABLE deals ADD COLUMN updated_at TEXT;
CREATE INDEX deals_stage ON deals(stage_id);
CREATE INDEX deals_expected ON deals(expected_close) WHERE closed_at IS NULL;
CREATE INDEX deals_closed ON deals(closed_at) WHERE closed_at IS NOT NULL;

-- Every stage a deal was in, from when to when (left_at NULL: still there):
-- time in stage, stage-to-stage conversion and stalled deals in one read.
-- The history has the same changes as rows of entity 'deal', field 'stage'.
CREATE TABLE deal_stages (
	deal_id INTEGER NOT NULL REFERENCES deals(id),
	stage_id INTEGER NOT NULL REFERENCES stages(id),
	entered_at TEXT NOT NULL,
	left_at TEXT
);
CREATE INDEX deal_stages_deal ON deal_stages(deal_id, entered_at);
CREATE INDEX deal_stages_stage ON deal_stages(stage_id, entered_at);

-- What crm-score saves: grade and score were there; RFM and health now.
ALTER TABLE customers ADD COLUMN rfm TEXT;		-- "545": R, F, M scores
ALTER TABLE customers ADD COLUMN segment TEXT;		-- 强活跃, Champions, ...
ALTER TABLE customers ADD COLUMN health INTEGER;	-- 0..100

-- Contacts (联系人) of a customer count for the duplicate check too.
ALTER TABLE contacts ADD COLUMN phone_key TEXT;
ALTER TABLE contacts ADD COLUMN email_key TEXT;
ALTER TABLE contacts ADD COLUMN batch_id INTEGER REFERENCES batches(id);
ALTER TABLE contacts ADD COLUMN updated_at TEXT;
CREATE INDEX contacts_phone_key ON contacts(phone_key) WHERE phone_key IS NOT NULL;
CREATE INDEX contacts_email_key ON contacts(email_key) WHERE email_key IS NOT NULL;

-- One target per user or team, period and currency.
CREATE UNIQUE INDEX targets_user ON targets(user_id, period, currency) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX targets_team ON targets(team_id, period, currency) WHERE team_id IS NOT NULL;
