-- An agent with another filter (agent + tag, agent + channel…: the pair
-- roll-ups leave the agent out) reads the agent's facts. Through
-- report_facts_agent_kind_at each fact was a visit of its table row for
-- the tags and the other dimensions. This index holds every column such a
-- page reads or tests, so the agent's facts are read by an index-only
-- scan, in (kind, at) order; it replaces the narrower one (a prefix of it).
DROP INDEX report_facts_agent_kind_at;
CREATE INDEX report_facts_agent_cover ON report_facts(agent_id, kind, at) INCLUDE (value, bvalue, tags, team_id, channel, priority, type, organization_id, language);
