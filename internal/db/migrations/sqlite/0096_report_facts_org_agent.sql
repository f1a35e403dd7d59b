-- Organization or agent with another filter, and three filters with one of
-- them (docs/reports.md): the page's facts are read from the organization's
-- or the agent's own facts, found by these indexes, instead of every fact of
-- the period through report_facts_kind_at. A tag then is tested on the
-- facts' tags column, not by starting from the tag's tickets.
CREATE INDEX report_facts_org_kind_at ON report_facts(organization_id, kind, at);
CREATE INDEX report_facts_agent_kind_at ON report_facts(agent_id, kind, at);
