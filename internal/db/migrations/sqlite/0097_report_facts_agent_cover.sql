-- An agent with another filter (agent + tag, agent + channel…: the pair
-- roll-ups leave the agent out) reads the agent's facts. Through
-- report_facts_agent_kind_at each fact was a lookup of its table row for
-- the tags and the other dimensions, ~5 µs a fact on SQLite (1.57 s for one
-- agent's year at 1M tickets). This index holds every column such a page
-- reads or tests, so the agent's facts are read from the index alone, in
-- (kind, at) order; it replaces the narrower one (a prefix of it).
DROP INDEX report_facts_agent_kind_at;
CREATE INDEX report_facts_agent_cover ON report_facts(agent_id, kind, at, value, bvalue, tags, team_id, channel, priority, type, organization_id, language);
