package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/ticket"
)

// requesters adapts the customer directory to what tickets need.
type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

// ResolveRequesterBrief also names the requester, for a new ticket's answer.
func (r requesters) ResolveRequesterBrief(ctx context.Context, tx *db.Tx, email, name string) (ticket.CustomerBrief, int64, error) {
	b, err := r.c.ResolveRequesterBrief(ctx, tx, email, name)
	return ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}, b.OrganizationID, err
}

// ResolveIdentity finds or creates a requester known by phone (or another
// identity) when there is no email.
func (r requesters) ResolveIdentity(ctx context.Context, tx *db.Tx, typ, value, name string) (int64, int64, error) {
	return r.c.ResolveIdentity(ctx, tx, typ, value, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]ticket.CustomerBrief, len(bs))
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, nil
}

// directory lets the importer create or find teams, agents, organizations
// and customers through their services.
type directory struct{ s *System }

func (d directory) EnsureTeam(ctx context.Context, t importer.Team) (int64, error) {
	if team, err := d.s.Agents.TeamByName(ctx, t.Name); err == nil {
		return team.ID, nil
	} else if !apperr.Is(err, apperr.CodeNotFound) {
		return 0, err
	}
	team, err := d.s.Agents.CreateTeam(ctx, authz.System, agent.TeamInput{Name: t.Name, Description: t.Description})
	if err != nil {
		return 0, err
	}
	return team.ID, nil
}

func (d directory) EnsureAgent(ctx context.Context, a importer.Agent, teamIDs []int64) (int64, error) {
	if existing, err := d.s.Agents.ByEmail(ctx, a.Email); err == nil {
		return existing.ID, nil
	} else if !apperr.Is(err, apperr.CodeNotFound) {
		return 0, err
	}
	created, err := d.s.Agents.CreateAgent(ctx, authz.System, agent.AgentInput{
		Email: a.Email, Name: a.Name, Role: authz.Role(a.Role), Locale: a.Locale, TimeZone: a.TimeZone,
		Skills: a.Skills, TeamIDs: teamIDs, Password: a.Password,
	})
	if err != nil {
		return 0, err
	}
	return created.ID, nil
}

func (d directory) EnsureOrganization(ctx context.Context, o importer.Organization) (int64, error) {
	org, err := d.s.Customers.CreateOrganization(ctx, authz.System, customer.OrganizationInput{Name: o.Name, Domains: o.Domains, Notes: o.Notes})
	if err == nil {
		return org.ID, nil
	}
	if !apperr.Is(err, apperr.CodeConflict) {
		return 0, err
	}
	list, lerr := d.s.Customers.ListOrganizations(ctx, authz.System, customer.OrgFilter{Query: o.Name, Page: pageOf(100)})
	if lerr != nil {
		return 0, lerr
	}
	for _, x := range list.Data {
		if strings.EqualFold(x.Name, o.Name) {
			return x.ID, nil
		}
	}
	return 0, err
}

func (d directory) EnsureCustomer(ctx context.Context, c importer.Customer, orgID int64) (int64, error) {
	in := customer.CustomerInput{Name: c.Name, Emails: c.Emails, Phones: c.Phones, Locale: c.Locale}
	for _, h := range c.Handles {
		in.Handles = append(in.Handles, customer.Identity{Type: h.Type, Value: h.Value})
	}
	if orgID != 0 {
		in.OrganizationID = &orgID
	}
	created, err := d.s.Customers.Create(ctx, authz.System, in)
	if err == nil {
		return created.ID, nil
	}
	if !apperr.Is(err, apperr.CodeConflict) || len(c.Emails) == 0 {
		return 0, err
	}
	// Already imported: find the customer by the first email.
	var id int64
	rerr := d.s.DB.Write(ctx, func(tx *db.Tx) error {
		var e error
		id, _, e = d.s.Customers.ResolveRequester(ctx, tx, c.Emails[0], c.Name)
		return e
	})
	if rerr != nil {
		return 0, errors.Join(err, fmt.Errorf("find existing customer: %w", rerr))
	}
	return id, nil
}

// people answers the email channel's questions about agents and customers.
// The lookups run inside the channel's transaction, so they read the
// tables directly through the querier they are given.
type people struct{ c *customer.Service }

func (p people) AgentByEmail(ctx context.Context, q db.Querier, email string) (authz.Actor, string, bool, error) {
	var a authz.Actor
	var role, name string
	err := q.QueryRowContext(ctx, `SELECT id, role, name FROM agents WHERE email = ? AND active`, strings.ToLower(email)).Scan(&a.ID, &role, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return authz.Actor{}, "", false, nil
	}
	if err != nil {
		return authz.Actor{}, "", false, fmt.Errorf("agent by email: %w", err)
	}
	a.Kind, a.Role, a.Name = authz.KindAgent, authz.Role(role), name
	return a, strings.ToLower(email), true, nil
}

func (p people) ResolveCustomer(ctx context.Context, tx *db.Tx, email, name string) (int64, error) {
	id, _, err := p.c.ResolveRequester(ctx, tx, email, name)
	return id, err
}

func (p people) CustomerEmail(ctx context.Context, q db.Querier, id int64) (string, string, error) {
	var name string
	var email sql.NullString
	err := q.QueryRowContext(ctx, `SELECT c.name, (SELECT i.value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email'
		ORDER BY i.is_primary DESC, i.id LIMIT 1) FROM customers c WHERE c.id = ?`, id).Scan(&name, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", apperr.NotFound("customer", id)
	}
	if err != nil {
		return "", "", fmt.Errorf("customer email: %w", err)
	}
	return name, email.String, nil
}

func (p people) AgentName(ctx context.Context, q db.Querier, id int64) (string, error) {
	var name string
	err := q.QueryRowContext(ctx, `SELECT name FROM agents WHERE id = ?`, id).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.NotFound("agent", id)
	}
	if err != nil {
		return "", fmt.Errorf("agent name: %w", err)
	}
	return name, nil
}
