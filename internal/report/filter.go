package report

import (
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
)

// Filter selects what a report covers: the facts whose moment falls in
// [From, To), with optional dimensions. Loc is the viewer's time zone: it
// decides where days, weeks and months begin.
type Filter struct {
	From, To       time.Time
	Loc            *time.Location
	TeamID         int64
	AgentID        int64
	Channel        string
	Priority       string
	Type           string
	Tag            string
	OrganizationID int64
	Language       string
}

// MaxRange bounds a report's period.
const MaxRange = 3 * 366 * 24 * time.Hour

// A period lies within [MinTime, MaxTime]: the facts hold nothing before
// 1970, and far-future times do not fit the encodings the answers use
// (JSON times end at year 9999).
var (
	MinTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	MaxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Validate checks the period and fills Loc.
func (f *Filter) Validate() error {
	if f.Loc == nil {
		f.Loc = time.UTC
	}
	if f.From.IsZero() || f.To.IsZero() {
		return apperr.InvalidField("from", "and to are required")
	}
	outside := func(t time.Time) bool { return t.Before(MinTime) || t.After(MaxTime) }
	if outside(f.To) {
		return apperr.InvalidField("to", "must be between 1970-01-01 and 2200-01-01")
	}
	if outside(f.From) {
		return apperr.InvalidField("from", "must be between 1970-01-01 and 2200-01-01")
	}
	if !f.To.After(f.From) {
		return apperr.InvalidField("to", "must be after from")
	}
	if f.To.Sub(f.From) > MaxRange {
		return apperr.InvalidField("to", "the period may span at most three years")
	}
	check := func(field, v string, allowed []string) error {
		if v == "" {
			return nil
		}
		for _, a := range allowed {
			if a == v {
				return nil
			}
		}
		return apperr.InvalidField(field, "must be one of "+strings.Join(allowed, ", "))
	}
	if err := check("channel", f.Channel, ticket.Channels); err != nil {
		return err
	}
	if err := check("priority", f.Priority, ticket.Priorities); err != nil {
		return err
	}
	return check("type", f.Type, ticket.Types)
}

// dimColumns maps each roll-up dimension to its facts column.
var dimColumns = map[string]string{"team": "team_id", "agent": "agent_id", "channel": "channel", "priority": "priority", "type": "type"}

// dimFilters returns the filter's conditions on roll-up dimensions as
// (dimension, value) pairs.
func (f Filter) dimFilters() [][2]string {
	var out [][2]string
	if f.TeamID != 0 {
		out = append(out, [2]string{"team", strconv.FormatInt(f.TeamID, 10)})
	}
	if f.AgentID != 0 {
		out = append(out, [2]string{"agent", strconv.FormatInt(f.AgentID, 10)})
	}
	if f.Channel != "" {
		out = append(out, [2]string{"channel", f.Channel})
	}
	if f.Priority != "" {
		out = append(out, [2]string{"priority", f.Priority})
	}
	if f.Type != "" {
		out = append(out, [2]string{"type", f.Type})
	}
	if f.Tag != "" {
		out = append(out, [2]string{"tag", f.Tag})
	}
	if f.OrganizationID != 0 {
		out = append(out, [2]string{"organization", strconv.FormatInt(f.OrganizationID, 10)})
	}
	if f.Language != "" {
		out = append(out, [2]string{"language", f.Language})
	}
	return out
}

// ownFacts reports whether f filters on an organization or an agent: their
// facts are few (indexes leading on organization_id and on agent_id,
// migration 0096), so a page reads those and tests any other filter —
// a tag too — on each, rather than every fact of the period or every
// fact of the tag's tickets.
func (f Filter) ownFacts() bool { return f.OrganizationID != 0 || f.AgentID != 0 }

// dimsWhere builds the filter's conditions on the facts' dimension columns.
func (f Filter) dimsWhere(prefix string) (string, []any) {
	var conds []string
	var args []any
	add := func(col string, v any) {
		conds = append(conds, prefix+col+" = ?")
		args = append(args, v)
	}
	if f.TeamID != 0 {
		add("team_id", f.TeamID)
	}
	if f.AgentID != 0 {
		add("agent_id", f.AgentID)
	}
	if f.Channel != "" {
		add("channel", f.Channel)
	}
	if f.Priority != "" {
		add("priority", f.Priority)
	}
	if f.Type != "" {
		add("type", f.Type)
	}
	if f.OrganizationID != 0 {
		add("organization_id", f.OrganizationID)
	}
	if f.Language != "" {
		add("language", f.Language)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " AND " + strings.Join(conds, " AND "), args
}
