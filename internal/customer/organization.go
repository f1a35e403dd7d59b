package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/textcheck"
)

// OrgFilter selects organizations.
type OrgFilter struct {
	Query string // case-insensitive substring of the name
	Page  page.Request
}

func checkOrgName(fe apperr.FieldErrors, name string) string {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		fe.Add("name", "must be 1 to 200 characters")
	} else if msg := textcheck.Line(name); msg != "" {
		fe.Add("name", msg)
	}
	return name
}

// CreateOrganization adds an organization with its email domains.
func (s *Service) CreateOrganization(ctx context.Context, actor authz.Actor, in OrganizationInput) (Organization, error) {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return Organization{}, err
	}
	fe := apperr.FieldErrors{}
	if fe.MaxItems("domains", len(in.Domains), MaxDomains) {
		return Organization{}, fe.Err()
	}
	in.Name = checkOrgName(fe, in.Name)
	domains := normalizeDomains(fe, in.Domains)
	if len(in.Notes) > 10000 {
		fe.Add("notes", "must be at most 10000 characters")
	} else if msg := textcheck.Body(in.Notes); msg != "" {
		fe.Add("notes", msg)
	}
	if err := fe.Err(); err != nil {
		return Organization{}, err
	}
	var o Organization
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		now := db.Millis(s.now())
		id, err := tx.InsertID(ctx, `INSERT INTO organizations (name, notes, portal_shared, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, in.Name, in.Notes, in.PortalShared, now, now)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "an organization with this name exists")
		}
		if err != nil {
			return fmt.Errorf("customer: create organization: %w", err)
		}
		if err := setDomains(ctx, tx, id, domains); err != nil {
			return err
		}
		if o, err = getOrg(ctx, tx, id); err != nil {
			return err
		}
		return s.auditOrgChange(ctx, tx, actor, "organization.create", id, nil, &o)
	})
	return o, err
}

func setDomains(ctx context.Context, tx *db.Tx, orgID int64, domains []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM organization_domains WHERE organization_id = ?`, orgID); err != nil {
		return fmt.Errorf("customer: clear domains: %w", err)
	}
	for i, d := range domains {
		_, err := tx.ExecContext(ctx, `INSERT INTO organization_domains (domain, organization_id) VALUES (?, ?)`, d, orgID)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict(fmt.Sprintf("domains[%d]", i), d+" belongs to another organization")
		}
		if err != nil {
			return fmt.Errorf("customer: add domain: %w", err)
		}
	}
	return nil
}

// GetOrganization reads one organization.
func (s *Service) GetOrganization(ctx context.Context, actor authz.Actor, id int64) (Organization, error) {
	if err := authz.Check(actor, authz.CustomerRead); err != nil {
		return Organization{}, err
	}
	return getOrg(ctx, s.db, id)
}

func getOrg(ctx context.Context, q db.Querier, id int64) (Organization, error) {
	var o Organization
	var c, u int64
	err := q.QueryRowContext(ctx, `SELECT id, name, notes, portal_shared, created_at, updated_at FROM organizations WHERE id = ?`, id).Scan(&o.ID, &o.Name, &o.Notes, &o.PortalShared, &c, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return o, apperr.NotFound("organization", id)
	}
	if err != nil {
		return o, fmt.Errorf("customer: get organization: %w", err)
	}
	o.CreatedAt, o.UpdatedAt = db.Time(c), db.Time(u)
	os := []*Organization{&o}
	return o, loadDomains(ctx, q, os)
}

func loadDomains(ctx context.Context, q db.Querier, os []*Organization) error {
	if len(os) == 0 {
		return nil
	}
	by := map[int64]*Organization{}
	args := []any{}
	for _, o := range os {
		o.Domains = []string{}
		by[o.ID] = o
		args = append(args, o.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT organization_id, domain FROM organization_domains WHERE organization_id IN (`+strings.Repeat("?,", len(args)-1)+`?) ORDER BY domain`, args...)
	if err != nil {
		return fmt.Errorf("customer: domains: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var d string
		if err := rows.Scan(&id, &d); err != nil {
			return fmt.Errorf("customer: scan domain: %w", err)
		}
		by[id].Domains = append(by[id].Domains, d)
	}
	return rows.Err()
}

// UpdateOrganization changes an organization.
func (s *Service) UpdateOrganization(ctx context.Context, actor authz.Actor, id int64, p OrganizationPatch) (Organization, error) {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return Organization{}, err
	}
	fe := apperr.FieldErrors{}
	if p.Domains != nil && fe.MaxItems("domains", len(*p.Domains), MaxDomains) {
		return Organization{}, fe.Err()
	}
	if p.Name != nil {
		n := checkOrgName(fe, *p.Name)
		p.Name = &n
	}
	var domains []string
	if p.Domains != nil {
		domains = normalizeDomains(fe, *p.Domains)
	}
	if p.Notes != nil && len(*p.Notes) > 10000 {
		fe.Add("notes", "must be at most 10000 characters")
	} else if p.Notes != nil && textcheck.Body(*p.Notes) != "" {
		fe.Add("notes", textcheck.Body(*p.Notes))
	}
	if p.Name == nil && p.Domains == nil && p.Notes == nil && p.PortalShared == nil {
		fe.Add("body", "changes nothing; name at least one field")
	}
	if err := fe.Err(); err != nil {
		return Organization{}, err
	}
	var o Organization
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := getOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		before := cur
		before.Domains = slices.Clone(cur.Domains)
		if p.Name != nil {
			cur.Name = *p.Name
		}
		if p.Notes != nil {
			cur.Notes = *p.Notes
		}
		if p.PortalShared != nil {
			cur.PortalShared = *p.PortalShared
		}
		_, err = tx.ExecContext(ctx, `UPDATE organizations SET name = ?, notes = ?, portal_shared = ?, updated_at = ? WHERE id = ?`, cur.Name, cur.Notes, cur.PortalShared, db.Millis(s.now()), id)
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("name", "an organization with this name exists")
		}
		if err != nil {
			return fmt.Errorf("customer: update organization: %w", err)
		}
		if p.Domains != nil {
			if err := setDomains(ctx, tx, id, domains); err != nil {
				return err
			}
		}
		if o, err = getOrg(ctx, tx, id); err != nil {
			return err
		}
		return s.auditOrgChange(ctx, tx, actor, "organization.update", id, &before, &o)
	})
	return o, err
}

// DeleteOrganization removes an organization without tickets; its customers stay, without it.
func (s *Service) DeleteOrganization(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		o, err := getOrg(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET organization_id = NULL WHERE organization_id = ?`, id); err != nil {
			return fmt.Errorf("customer: detach customers: %w", err)
		}
		var n int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM tickets WHERE organization_id = ? LIMIT 1`, id).Scan(&n)
		if err == nil {
			return apperr.Conflict("", "the organization has tickets; it cannot be deleted")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("customer: organization tickets: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM organizations WHERE id = ?`, id); err != nil {
			return fmt.Errorf("customer: delete organization: %w", err)
		}
		return s.auditOrgChange(ctx, tx, actor, "organization.delete", id, &o, nil)
	})
}

// ListOrganizations returns organizations by name.
func (s *Service) ListOrganizations(ctx context.Context, actor authz.Actor, f OrgFilter) (page.List[Organization], error) {
	if err := authz.Check(actor, authz.CustomerRead); err != nil {
		return page.List[Organization]{}, err
	}
	var conds []string
	var args []any
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		conds = append(conds, `lower(name) LIKE ? ESCAPE '\'`)
		args = append(args, "%"+escapeLike(q)+"%")
	}
	if c := f.Page.Cursor; c != nil {
		conds = append(conds, "(name > ? OR (name = ? AND id > ?))")
		args = append(args, c.Str, c.Str, c.ID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = page.DefaultLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, notes, portal_shared, created_at, updated_at FROM organizations`+where+` ORDER BY name, id LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return page.List[Organization]{}, fmt.Errorf("customer: list organizations: %w", err)
	}
	var os []Organization
	for rows.Next() {
		var o Organization
		var c, u int64
		if err := rows.Scan(&o.ID, &o.Name, &o.Notes, &o.PortalShared, &c, &u); err != nil {
			rows.Close()
			return page.List[Organization]{}, fmt.Errorf("customer: scan organization: %w", err)
		}
		o.CreatedAt, o.UpdatedAt = db.Time(c), db.Time(u)
		os = append(os, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page.List[Organization]{}, fmt.Errorf("customer: list organizations: %w", err)
	}
	ptrs := make([]*Organization, len(os))
	for i := range os {
		ptrs[i] = &os[i]
	}
	if err := loadDomains(ctx, s.db, ptrs); err != nil {
		return page.List[Organization]{}, err
	}
	return page.Trim(os, limit, func(o Organization) page.Cursor { return page.Cursor{Str: o.Name, ID: o.ID} }), nil
}
