package importer

import (
	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/ticket"
)

// MaxTimeline bounds one ticket's history in an import line: far beyond
// any real ticket, and it keeps one line from holding the writer.
const MaxTimeline = 10000

// checkLimits refuses a record whose lists are longer than the same
// objects may be through the API, before any of it is resolved or
// written (the limits of issue 11: no single write may stall the rest).
func checkLimits(rec Record) error {
	fe := apperr.FieldErrors{}
	if a := rec.Agent; a != nil {
		fe.MaxItems("agent.skills", len(a.Skills), agent.MaxSkills)
		fe.MaxItems("agent.teams", len(a.Teams), agent.MaxAgentTeams)
	}
	if o := rec.Organization; o != nil {
		fe.MaxItems("organization.domains", len(o.Domains), customer.MaxDomains)
	}
	if f := rec.Field; f != nil {
		fe.MaxItems("field.options", len(f.Options), ticket.MaxFieldOptions)
	}
	if c := rec.Customer; c != nil {
		fe.MaxItems("customer.emails", len(c.Emails), customer.MaxIdentities)
		fe.MaxItems("customer.phones", len(c.Phones), customer.MaxIdentities)
		fe.MaxItems("customer.handles", len(c.Handles), customer.MaxIdentities)
	}
	if t := rec.Ticket; t != nil {
		fe.MaxItems("ticket.tags", len(t.Tags), ticket.MaxTags)
		fe.MaxItems("ticket.custom_fields", len(t.CustomFields), ticket.MaxFieldValues)
		fe.MaxItems("ticket.timeline", len(t.Timeline), MaxTimeline)
	}
	return fe.Err()
}
