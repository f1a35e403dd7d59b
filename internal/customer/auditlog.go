package customer

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// auditCustomer is what an audit row keeps of a customer: who they are
// and how they are reached, not their notes. Notes are free text the
// erasure sweep cannot find in the log by the customer's name or
// addresses, so only their length is kept (a change still shows).
type auditCustomer struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"`
	OrganizationID *int64     `json:"organization_id"`
	Locale         string     `json:"locale"`
	TimeZone       string     `json:"time_zone"`
	Identities     []Identity `json:"identities"`
	NotesChars     int        `json:"notes_chars"`
	PortalOrgView  *bool      `json:"portal_org_view"`
}

func customerSnapshot(c *Customer) any {
	if c == nil {
		return nil
	}
	return auditCustomer{ID: c.ID, Name: c.Name, OrganizationID: c.OrganizationID, Locale: c.Locale, TimeZone: c.TimeZone,
		Identities: c.Identities, NotesChars: utf8.RuneCountInString(c.Notes), PortalOrgView: c.PortalOrgView}
}

// customerTarget is the audit target of a customer's rows, the same the
// privacy package uses for exports and erasures.
func customerTarget(id int64) string { return fmt.Sprintf("customer:%d", id) }

// auditCustomerChange records a change to a customer inside tx.
func (s *Service) auditCustomerChange(ctx context.Context, tx *db.Tx, actor authz.Actor, action string, id int64, before, after *Customer) error {
	return audit.Record(ctx, tx, s.now(), actor, action, customerTarget(id), audit.Change(customerSnapshot(before), customerSnapshot(after)))
}

// auditOrgChange records a change to an organization inside tx. An
// organization is a company, not a person: its notes are kept whole.
func (s *Service) auditOrgChange(ctx context.Context, tx *db.Tx, actor authz.Actor, action string, id int64, before, after *Organization) error {
	var b, a any
	if before != nil {
		b = *before
	}
	if after != nil {
		a = *after
	}
	return audit.Record(ctx, tx, s.now(), actor, action, fmt.Sprintf("organization:%d", id), audit.Change(b, a))
}
