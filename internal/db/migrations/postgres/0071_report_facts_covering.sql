-- The (kind, at, …) index also carries the organization and the language,
-- so two filters at once (say a channel and a language) are summed from the
-- index alone, without a table lookup per fact (issue 13, item 4). It
-- replaces the old index rather than adding one: the writes keep one
-- index of this shape.
DROP INDEX report_facts_kind_at;
CREATE INDEX report_facts_kind_at ON report_facts(kind, at, team_id, agent_id, channel, priority, type, organization_id, language, value, bvalue);
