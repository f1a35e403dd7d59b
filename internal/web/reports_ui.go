package web

// reportUIQuery lists the query parameters of the report pages: the
// filter bar's (range is a preset period; from and to apply to a custom
// one) and a page's own.
func reportUIQuery(extra ...string) []string {
	return append([]string{"range", "from", "to", "tz", "team_id", "agent_id", "channel", "priority", "type", "tag", "organization_id", "language"}, extra...)
}
