// Package customer owns the people who ask for help and the organizations
// they belong to. A customer has several identities — email addresses, phone
// numbers, chat and social handles — so a conversation on any channel finds
// the same person and their whole history.
package customer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/textcheck"
)

// IdentityTypes lists the kinds of identity.
var IdentityTypes = []string{"email", "phone", "chat", "twitter", "facebook", "whatsapp", "instagram", "telegram", "other"}

// Identity is one way a customer reaches us.
type Identity struct {
	ID      int64  `json:"id"`
	Type    string `json:"type"`
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

// Customer is an end user.
type Customer struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Email          string `json:"email"` // primary email, "" when none
	OrganizationID *int64 `json:"organization_id"`
	Locale         string `json:"locale"`
	// TimeZone is the customer's IANA zone ("" when unknown), for their
	// local time beside a ticket.
	TimeZone   string     `json:"time_zone"`
	Notes      string     `json:"notes"`
	Identities []Identity `json:"identities"`
	// PortalOrgView overrides the organization's portal_shared for this
	// customer: nil follows it, true grants the organization view in the
	// portal, false withdraws it (docs/portal.md).
	PortalOrgView *bool     `json:"portal_org_view" doc:"whether the customer sees their organization's requests in the portal, overriding the organization's portal_shared: null follows the organization, true grants, false withdraws"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// Organization groups customers; new customers join it by email domain.
type Organization struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Notes   string   `json:"notes"`
	// PortalShared lets the members see all the organization's requests
	// in the customer portal (docs/portal.md).
	PortalShared bool      `json:"portal_shared"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Brief names a customer beside a ticket.
type Brief struct {
	ID             int64
	Name           string
	Email          string
	OrganizationID int64
}

// CustomerInput creates a customer.
type CustomerInput struct {
	Name           string     `json:"name"`
	Emails         []string   `json:"emails"`
	Phones         []string   `json:"phones"`
	Handles        []Identity `json:"handles"`
	OrganizationID *int64     `json:"organization_id"`
	Locale         string     `json:"locale"`
	Notes          string     `json:"notes"`
}

// CustomerPatch changes a customer; organization_id null removes the organization.
type CustomerPatch struct {
	Name           *string          `json:"name"`
	OrganizationID opt.Value[int64] `json:"organization_id"`
	Locale         *string          `json:"locale"`
	TimeZone       *string          `json:"time_zone"`
	Notes          *string          `json:"notes"`
	// PortalOrgView: null follows the organization, true grants the
	// portal's organization view, false withdraws it.
	PortalOrgView opt.Value[bool] `json:"portal_org_view" doc:"null: follow the organization's portal_shared; true: grant the portal's organization view; false: withdraw it"`
}

// OrganizationInput creates an organization.
type OrganizationInput struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Notes   string   `json:"notes"`
	// PortalShared: members see all the organization's portal requests.
	PortalShared bool `json:"portal_shared"`
}

// OrganizationPatch changes an organization; Domains replaces the set.
type OrganizationPatch struct {
	Name    *string   `json:"name"`
	Domains *[]string `json:"domains"`
	Notes   *string   `json:"notes"`
	// PortalShared: members see all the organization's portal requests.
	PortalShared *bool `json:"portal_shared"`
}

// MergeInput is the body of a customer merge.
type MergeInput struct {
	MergeID int64 `json:"merge_id"`
}

// Service manages customers and organizations.
type Service struct {
	db  *db.DB
	now func() time.Time
	// MoveTickets, set by the app, moves tickets between customers inside a
	// merge's transaction (tickets are the ticket package's rows).
	MoveTickets func(ctx context.Context, tx *db.Tx, from, to int64) error
	// OnCreated, set by the app, hears of each new customer inside the
	// transaction that creates it, whichever way it was made (a form, the
	// API, a first email): webhook subscriptions queue their deliveries.
	// load reads the customer as stored, only when a listener wants it (the
	// write path of a first email stays one statement shorter otherwise).
	OnCreated func(ctx context.Context, tx *db.Tx, load func() (Customer, error)) error
}

// created calls OnCreated for the new customer id.
func (s *Service) created(ctx context.Context, tx *db.Tx, id int64) error {
	if s.OnCreated == nil {
		return nil
	}
	return s.OnCreated(ctx, tx, func() (Customer, error) { return get(ctx, tx, id) })
}

// NewService returns a customer service.
func NewService(d *db.DB, now func() time.Time) *Service {
	return &Service{db: d, now: now}
}

var (
	phoneStrip = regexp.MustCompile(`[\s().\-/]`)
	phoneRE    = regexp.MustCompile(`^\+?[0-9]{6,18}$`)
	domainRE   = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$`)
	localeRE   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
)

// NormalizeIdentity validates and canonicalises an identity value: emails
// lower case without display name, phones as + and digits, handles trimmed.
func NormalizeIdentity(typ, value string) (string, error) {
	value = strings.TrimSpace(value)
	switch typ {
	case "email":
		a, err := mail.ParseAddress(value)
		if err != nil || a.Name != "" || !strings.Contains(a.Address, "@") || len(a.Address) > 254 {
			return "", errors.New("must be an email address")
		}
		return strings.ToLower(a.Address), nil
	case "phone":
		p := phoneStrip.ReplaceAllString(value, "")
		if strings.HasPrefix(p, "00") {
			p = "+" + p[2:]
		}
		if !phoneRE.MatchString(p) {
			return "", errors.New("must be a phone number (6 to 18 digits, optional leading +)")
		}
		return p, nil
	}
	if !slices.Contains(IdentityTypes, typ) {
		return "", fmt.Errorf("type must be one of %s", strings.Join(IdentityTypes, ", "))
	}
	if value == "" || utf8.RuneCountInString(value) > 200 || !utf8.ValidString(value) {
		return "", errors.New("must be 1 to 200 characters")
	}
	return value, nil
}

func (in *CustomerInput) identities(fe apperr.FieldErrors) []Identity {
	var ids []Identity
	seen := map[string]bool{}
	add := func(field, typ, v string) {
		n, err := NormalizeIdentity(typ, v)
		if err != nil {
			fe.Add(field, err.Error())
			return
		}
		if seen[typ+":"+n] {
			return
		}
		seen[typ+":"+n] = true
		ids = append(ids, Identity{Type: typ, Value: n})
	}
	for i, e := range in.Emails {
		add(fmt.Sprintf("emails[%d]", i), "email", e)
	}
	for i, p := range in.Phones {
		add(fmt.Sprintf("phones[%d]", i), "phone", p)
	}
	for i, h := range in.Handles {
		if h.Type == "email" || h.Type == "phone" {
			fe.Add(fmt.Sprintf("handles[%d].type", i), "use emails or phones for these")
			continue
		}
		add(fmt.Sprintf("handles[%d].value", i), h.Type, h.Value)
	}
	if len(ids) > 0 {
		ids[0].Primary = true
		// The first email is primary among emails too.
		for i := range ids {
			if ids[i].Type == "email" {
				for j := range ids {
					ids[j].Primary = j == i
				}
				break
			}
		}
	}
	return ids
}

func checkLocale(fe apperr.FieldErrors, l string) {
	if l != "" && !localeRE.MatchString(l) {
		fe.Add("locale", "must be a language tag such as en, nb or sl")
	}
}

// Create adds a customer with their identities.
func (s *Service) Create(ctx context.Context, actor authz.Actor, in CustomerInput) (Customer, error) {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return Customer{}, err
	}
	if err := in.checkSizes(); err != nil {
		return Customer{}, err
	}
	fe := apperr.FieldErrors{}
	ids := in.identities(fe)
	in.Name = strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(in.Name) > 200 {
		fe.Add("name", "must be at most 200 characters")
	} else if msg := textcheck.Line(in.Name); msg != "" {
		fe.Add("name", msg)
	}
	if in.Name == "" && len(ids) == 0 {
		fe.Add("name", "a customer needs a name or at least one email, phone or handle")
	}
	checkLocale(fe, in.Locale)
	if len(in.Notes) > 10000 {
		fe.Add("notes", "must be at most 10000 characters")
	} else if msg := textcheck.Body(in.Notes); msg != "" {
		fe.Add("notes", msg)
	}
	if err := fe.Err(); err != nil {
		return Customer{}, err
	}
	if in.Name == "" {
		in.Name = defaultName(ids[0])
	}
	var c Customer
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		org := int64(0)
		if in.OrganizationID != nil {
			if err := orgExists(ctx, tx, *in.OrganizationID); err != nil {
				return err
			}
			org = *in.OrganizationID
		} else {
			for _, id := range ids {
				if id.Type == "email" {
					if o, err := orgByDomain(ctx, tx, id.Value); err != nil {
						return err
					} else if o != 0 {
						org = o
						break
					}
				}
			}
		}
		id, err := s.insert(ctx, tx, in.Name, org, in.Locale, in.Notes, ids)
		if err != nil {
			return err
		}
		if c, err = get(ctx, tx, id); err != nil {
			return err
		}
		// Customers that mail, chat or import create themselves (the
		// system actor) and are found in ticket history; an agent's or a
		// script's creation is an action the audit log answers for.
		if actor.Kind != authz.KindAgent {
			return nil
		}
		return s.auditCustomerChange(ctx, tx, actor, "customer.create", id, nil, &c)
	})
	return c, err
}

func defaultName(id Identity) string {
	if id.Type == "email" {
		local, _, _ := strings.Cut(id.Value, "@")
		return local
	}
	return id.Value
}

func (s *Service) insert(ctx context.Context, tx *db.Tx, name string, org int64, locale, notes string, ids []Identity) (int64, error) {
	now := db.Millis(s.now())
	id, err := tx.InsertID(ctx, `INSERT INTO customers (name, organization_id, locale, notes, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		name, db.NullInt(org), locale, notes, now, now)
	if err != nil {
		return 0, fmt.Errorf("customer: insert: %w", err)
	}
	for i, ident := range ids {
		if err := insertIdentity(ctx, tx, id, ident, now); err != nil {
			if apperr.Is(err, apperr.CodeConflict) {
				return 0, apperr.Conflict(identityField(ids, i), fmt.Sprintf("%s %s belongs to another customer", ident.Type, ident.Value))
			}
			return 0, err
		}
	}
	return id, s.created(ctx, tx, id)
}

func identityField(ids []Identity, i int) string {
	n := 0
	kind := ids[i].Type
	for j := 0; j < i; j++ {
		if ids[j].Type == kind || (kind != "email" && kind != "phone" && ids[j].Type != "email" && ids[j].Type != "phone") {
			n++
		}
	}
	switch kind {
	case "email":
		return fmt.Sprintf("emails[%d]", n)
	case "phone":
		return fmt.Sprintf("phones[%d]", n)
	}
	return fmt.Sprintf("handles[%d]", n)
}

func insertIdentity(ctx context.Context, tx *db.Tx, customerID int64, ident Identity, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO customer_identities (customer_id, type, value, is_primary, created_at) VALUES (?, ?, ?, ?, ?)`,
		customerID, ident.Type, ident.Value, ident.Primary, now)
	if db.IsUniqueViolation(err) {
		return apperr.Conflict("value", fmt.Sprintf("%s %s belongs to another customer", ident.Type, ident.Value))
	}
	if err != nil {
		return fmt.Errorf("customer: insert identity: %w", err)
	}
	return nil
}

func orgExists(ctx context.Context, q db.Querier, id int64) error {
	var n int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM organizations WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.InvalidField("organization_id", fmt.Sprintf("organization %d does not exist", id))
	}
	if err != nil {
		return fmt.Errorf("customer: check organization: %w", err)
	}
	return nil
}

// orgByDomain finds the organization owning an email's domain (0 when none).
func orgByDomain(ctx context.Context, q db.Querier, email string) (int64, error) {
	_, domain, ok := strings.Cut(email, "@")
	if !ok {
		return 0, nil
	}
	var id int64
	err := q.QueryRowContext(ctx, `SELECT organization_id FROM organization_domains WHERE domain = ?`, domain).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("customer: domain lookup: %w", err)
	}
	return id, nil
}

// ResolveRequester finds the customer owning an email or creates one,
// inside the caller's transaction (ticket creation). It is on the hot path
// of ticket creation: one indexed lookup when the customer exists.
func (s *Service) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	b, err := s.ResolveRequesterBrief(ctx, tx, email, name)
	return b.ID, b.OrganizationID, err
}

// ResolveRequesterBrief is ResolveRequester answering the customer's
// Brief as well, as Brief would read it after the caller's commit (the
// name, the primary email), from the statements the resolution runs
// anyway: a new ticket's answer names its requester without a read of
// its own after the commit.
func (s *Service) ResolveRequesterBrief(ctx context.Context, tx *db.Tx, email, name string) (Brief, error) {
	v, err := NormalizeIdentity("email", email)
	if err != nil {
		return Brief{}, apperr.InvalidField("requester.email", err.Error())
	}
	return s.resolve(ctx, tx, Identity{Type: "email", Value: v, Primary: true}, name)
}

// ResolveIdentity is ResolveRequester for phone, chat and social identities.
func (s *Service) ResolveIdentity(ctx context.Context, tx *db.Tx, typ, value, name string) (int64, int64, error) {
	v, err := NormalizeIdentity(typ, value)
	if err != nil {
		return 0, 0, apperr.InvalidField("requester", err.Error())
	}
	b, err := s.resolve(ctx, tx, Identity{Type: typ, Value: v, Primary: true}, name)
	return b.ID, b.OrganizationID, err
}

// briefEmail is Brief's email column for the customer c: the primary
// email identity, else the oldest.
const briefEmail = `COALESCE((SELECT value FROM customer_identities e WHERE e.customer_id = c.id AND e.type = 'email' ORDER BY e.is_primary DESC, e.id LIMIT 1), '')`

// reread reads a customer by identity after a concurrent transaction
// created it first.
func reread(ctx context.Context, tx *db.Tx, ident Identity) (Brief, error) {
	var b Brief
	var org sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT c.id, c.organization_id, c.name, `+briefEmail+` FROM customer_identities i JOIN customers c ON c.id = i.customer_id
		WHERE i.type = ? AND i.value = ?`, ident.Type, ident.Value).Scan(&b.ID, &org, &b.Name, &b.Email); err != nil {
		return Brief{}, fmt.Errorf("customer: re-read after race: %w", err)
	}
	b.OrganizationID = org.Int64
	return b, nil
}

// newBrief is the Brief of a customer just created with one identity.
func newBrief(id, org int64, name string, ident Identity) Brief {
	b := Brief{ID: id, Name: name, OrganizationID: org}
	if ident.Type == "email" {
		b.Email = ident.Value
	}
	return b
}

func (s *Service) resolve(ctx context.Context, tx *db.Tx, ident Identity, name string) (Brief, error) {
	var id, org, domainOrg sql.NullInt64
	var known, email sql.NullString
	var stamp int64
	// One statement answers both questions a new requester raises: is the
	// identity known, and else which organization its email domain names.
	_, domain, _ := strings.Cut(ident.Value, "@")
	if ident.Type != "email" {
		domain = ""
	}
	if tx.Dialect() == db.Postgres {
		return s.resolvePG(ctx, tx, ident, name, domain)
	}
	// The identity is looked up once (a left join from one row, so an
	// unknown identity still answers the domain and the stamp).
	// A known customer's name and email come along for the caller's
	// answer (ResolveRequesterBrief).
	err := tx.QueryRowContext(ctx, `SELECT c.id, c.organization_id, c.name, `+briefEmail+`,
		(SELECT organization_id FROM organization_domains WHERE domain = ?),
		`+db.StampColumn+`
		FROM (SELECT 1 AS one) o
		LEFT JOIN customer_identities i ON i.type = ? AND i.value = ?
		LEFT JOIN customers c ON c.id = i.customer_id`,
		domain, ident.Type, ident.Value).Scan(&id, &org, &known, &email, &domainOrg, &stamp)
	if err != nil {
		return Brief{}, fmt.Errorf("customer: resolve: %w", err)
	}
	// The configuration stamp comes along, for the event hooks' cached
	// configuration (db.Cached): no round trip of its own.
	tx.SetConfigStamp(stamp)
	if id.Valid {
		return Brief{ID: id.Int64, Name: known.String, Email: email.String, OrganizationID: org.Int64}, nil
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = defaultName(ident)
	}
	orgID := domainOrg.Int64
	// SQLite's one writer: no concurrent transaction can take the identity
	// between the lookup and the insert.
	newID, err := s.insert(ctx, tx, name, orgID, "", "", []Identity{ident})
	if err != nil {
		return Brief{}, err
	}
	return newBrief(newID, orgID, name, ident), nil
}

// resolvePG is resolve on PostgreSQL in one statement: the identity's
// lookup with its domain's organization and the configuration stamp, and,
// when the identity is unknown, the new customer with its identity (the
// lookup and the inserts were a statement and a round trip each). When a
// concurrent transaction took the identity first, the identity insert does
// nothing: the customer row made for it is removed and the other one is
// read (a savepoint did this before, at two round trips more).
func (s *Service) resolvePG(ctx context.Context, tx *db.Tx, ident Identity, name, domain string) (Brief, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		name = defaultName(ident)
	}
	now := db.Millis(s.now())
	var id, org, domainOrg, newID, owner sql.NullInt64
	var known, email sql.NullString
	var stamp int64
	err := tx.QueryRowContext(ctx, `WITH f AS (
			SELECT c.id, c.organization_id, c.name, `+briefEmail+` AS email
			FROM customer_identities i JOIN customers c ON c.id = i.customer_id WHERE i.type = ? AND i.value = ?),
		o AS (SELECT (SELECT organization_id FROM organization_domains WHERE domain = ?) AS org),
		nc AS (
			INSERT INTO customers (name, organization_id, locale, notes, created_at, updated_at)
			SELECT CAST(? AS TEXT), o.org, '', '', CAST(? AS BIGINT), CAST(? AS BIGINT) FROM o
			WHERE NOT EXISTS (SELECT 1 FROM f) RETURNING id),
		ni AS (
			INSERT INTO customer_identities (customer_id, type, value, is_primary, created_at)
			SELECT id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BOOLEAN), CAST(? AS BIGINT) FROM nc
			ON CONFLICT (type, value) DO NOTHING RETURNING customer_id)
		SELECT f.id, f.organization_id, f.name, f.email, o.org, `+db.StampColumn+`,
			(SELECT id FROM nc), (SELECT customer_id FROM ni)
		FROM o LEFT JOIN f ON true`,
		ident.Type, ident.Value, domain, name, now, now, ident.Type, ident.Value, ident.Primary, now).
		Scan(&id, &org, &known, &email, &domainOrg, &stamp, &newID, &owner)
	if err != nil {
		return Brief{}, fmt.Errorf("customer: resolve: %w", err)
	}
	// The configuration stamp comes along, for the event hooks' cached
	// configuration (db.Cached): no round trip of its own.
	tx.SetConfigStamp(stamp)
	switch {
	case id.Valid:
		return Brief{ID: id.Int64, Name: known.String, Email: email.String, OrganizationID: org.Int64}, nil
	case !newID.Valid:
		return Brief{}, fmt.Errorf("customer: resolve %s: neither found nor created", ident.Type)
	case owner.Valid:
		return newBrief(newID.Int64, domainOrg.Int64, name, ident), s.created(ctx, tx, newID.Int64)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, newID.Int64); err != nil {
		return Brief{}, fmt.Errorf("customer: drop duplicate: %w", err)
	}
	return reread(ctx, tx, ident)
}

// Get reads a customer with identities.
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Customer, error) {
	if err := authz.Check(actor, authz.CustomerRead); err != nil {
		return Customer{}, err
	}
	return get(ctx, s.db, id)
}

const customerCols = `c.id, c.name, c.organization_id, c.locale, c.time_zone, c.notes, c.portal_org_view, c.created_at, c.updated_at`

func scanCustomer(sc interface{ Scan(...any) error }) (Customer, error) {
	var c Customer
	var org sql.NullInt64
	var view sql.NullBool
	var cr, up int64
	if err := sc.Scan(&c.ID, &c.Name, &org, &c.Locale, &c.TimeZone, &c.Notes, &view, &cr, &up); err != nil {
		return c, err
	}
	if view.Valid {
		v := view.Bool
		c.PortalOrgView = &v
	}
	if org.Valid {
		v := org.Int64
		c.OrganizationID = &v
	}
	c.CreatedAt, c.UpdatedAt = db.Time(cr), db.Time(up)
	c.Identities = []Identity{}
	return c, nil
}

func get(ctx context.Context, q db.Querier, id int64) (Customer, error) {
	c, err := scanCustomer(q.QueryRowContext(ctx, `SELECT `+customerCols+` FROM customers c WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("customer", id)
	}
	if err != nil {
		return c, fmt.Errorf("customer: get %d: %w", id, err)
	}
	cs := []*Customer{&c}
	if err := loadIdentities(ctx, q, cs); err != nil {
		return c, err
	}
	return c, nil
}

func loadIdentities(ctx context.Context, q db.Querier, cs []*Customer) error {
	if len(cs) == 0 {
		return nil
	}
	by := map[int64]*Customer{}
	args := make([]any, 0, len(cs))
	for _, c := range cs {
		by[c.ID] = c
		args = append(args, c.ID)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, customer_id, type, value, is_primary FROM customer_identities
		WHERE customer_id IN (`+strings.Repeat("?,", len(args)-1)+`?) ORDER BY customer_id, id`, args...)
	if err != nil {
		return fmt.Errorf("customer: identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i Identity
		var cid int64
		if err := rows.Scan(&i.ID, &cid, &i.Type, &i.Value, &i.Primary); err != nil {
			return fmt.Errorf("customer: scan identity: %w", err)
		}
		c := by[cid]
		c.Identities = append(c.Identities, i)
		if i.Type == "email" && (c.Email == "" || i.Primary) {
			c.Email = i.Value
		}
	}
	return rows.Err()
}

// Brief names customers for a page of tickets in one query.
func (s *Service) Brief(ctx context.Context, ids []int64) (map[int64]Brief, error) {
	out := map[int64]Brief{}
	if len(ids) == 0 {
		return out, nil
	}
	uniq := map[int64]bool{}
	args := []any{}
	for _, id := range ids {
		if !uniq[id] {
			uniq[id] = true
			args = append(args, id)
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.name, COALESCE(c.organization_id, 0),
		COALESCE((SELECT value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email' ORDER BY is_primary DESC, id LIMIT 1), '')
		FROM customers c WHERE c.id IN (`+strings.Repeat("?,", len(args)-1)+`?)`, args...)
	if err != nil {
		return nil, fmt.Errorf("customer: brief: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Brief
		if err := rows.Scan(&b.ID, &b.Name, &b.OrganizationID, &b.Email); err != nil {
			return nil, fmt.Errorf("customer: brief scan: %w", err)
		}
		out[b.ID] = b
	}
	return out, rows.Err()
}

// Update changes a customer.
func (s *Service) Update(ctx context.Context, actor authz.Actor, id int64, p CustomerPatch) (Customer, error) {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return Customer{}, err
	}
	fe := apperr.FieldErrors{}
	if p.Name != nil {
		n := strings.TrimSpace(*p.Name)
		if n == "" || utf8.RuneCountInString(n) > 200 {
			fe.Add("name", "must be 1 to 200 characters")
		} else if msg := textcheck.Line(n); msg != "" {
			fe.Add("name", msg)
		}
		p.Name = &n
	}
	if p.Locale != nil {
		checkLocale(fe, *p.Locale)
	}
	if p.TimeZone != nil {
		tz := strings.TrimSpace(*p.TimeZone)
		if _, err := time.LoadLocation(tz); err != nil || tz == "Local" || len(tz) > 64 {
			fe.Add("time_zone", "must be a time zone such as Europe/Oslo")
		}
		p.TimeZone = &tz
	}
	if p.Notes != nil && len(*p.Notes) > 10000 {
		fe.Add("notes", "must be at most 10000 characters")
	} else if p.Notes != nil && textcheck.Body(*p.Notes) != "" {
		fe.Add("notes", textcheck.Body(*p.Notes))
	}
	if p.Name == nil && p.Locale == nil && p.TimeZone == nil && p.Notes == nil && !p.OrganizationID.Set && !p.PortalOrgView.Set {
		fe.Add("body", "changes nothing; name at least one field")
	}
	if err := fe.Err(); err != nil {
		return Customer{}, err
	}
	var c Customer
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		cur, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		before := cur
		if p.Name != nil {
			cur.Name = *p.Name
		}
		if p.Locale != nil {
			cur.Locale = *p.Locale
		}
		if p.Notes != nil {
			cur.Notes = *p.Notes
		}
		if p.TimeZone != nil {
			cur.TimeZone = *p.TimeZone
		}
		if p.OrganizationID.Set {
			cur.OrganizationID = p.OrganizationID.Ptr()
			if cur.OrganizationID != nil {
				if err := orgExists(ctx, tx, *cur.OrganizationID); err != nil {
					return err
				}
			}
		}
		if p.PortalOrgView.Set {
			cur.PortalOrgView = p.PortalOrgView.Ptr()
		}
		org := int64(0)
		if cur.OrganizationID != nil {
			org = *cur.OrganizationID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET name = ?, locale = ?, time_zone = ?, notes = ?, organization_id = ?, portal_org_view = ?, updated_at = ? WHERE id = ?`,
			cur.Name, cur.Locale, cur.TimeZone, cur.Notes, db.NullInt(org), cur.PortalOrgView, db.Millis(s.now()), id); err != nil {
			return fmt.Errorf("customer: update: %w", err)
		}
		if c, err = get(ctx, tx, id); err != nil {
			return err
		}
		return s.auditCustomerChange(ctx, tx, actor, "customer.update", id, &before, &c)
	})
	return c, err
}

// Delete removes a customer who has no tickets.
func (s *Service) Delete(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := get(ctx, tx, id)
		if err != nil {
			return err
		}
		var n int
		err = tx.QueryRowContext(ctx, `SELECT 1 FROM tickets WHERE requester_id = ? LIMIT 1`, id).Scan(&n)
		if err == nil {
			return apperr.Conflict("", "the customer has tickets; merge the customer into another instead")
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("customer: delete check: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, id); err != nil {
			return fmt.Errorf("customer: delete: %w", err)
		}
		return s.auditCustomerChange(ctx, tx, actor, "customer.delete", id, &before, nil)
	})
}

// Filter selects customers.
type Filter struct {
	Query          string // name or identity, case-insensitive substring
	OrganizationID int64
	Page           page.Request
}

// List returns customers, newest first.
func (s *Service) List(ctx context.Context, actor authz.Actor, f Filter) (page.List[Customer], error) {
	if err := authz.Check(actor, authz.CustomerRead); err != nil {
		return page.List[Customer]{}, err
	}
	var conds []string
	var args []any
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		like := "%" + escapeLike(q) + "%"
		conds = append(conds, `(lower(c.name) LIKE ? ESCAPE '\' OR c.id IN (SELECT customer_id FROM customer_identities WHERE lower(value) LIKE ? ESCAPE '\'))`)
		args = append(args, like, like)
	}
	if f.OrganizationID != 0 {
		conds = append(conds, "c.organization_id = ?")
		args = append(args, f.OrganizationID)
	}
	if f.Page.Cursor != nil {
		conds = append(conds, "c.id < ?")
		args = append(args, f.Page.Cursor.ID)
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Page.Limit
	if limit <= 0 {
		limit = page.DefaultLimit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+customerCols+` FROM customers c`+where+` ORDER BY c.id DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return page.List[Customer]{}, fmt.Errorf("customer: list: %w", err)
	}
	var cs []Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			rows.Close()
			return page.List[Customer]{}, fmt.Errorf("customer: scan: %w", err)
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return page.List[Customer]{}, fmt.Errorf("customer: list: %w", err)
	}
	ptrs := make([]*Customer, len(cs))
	for i := range cs {
		ptrs[i] = &cs[i]
	}
	if err := loadIdentities(ctx, s.db, ptrs); err != nil {
		return page.List[Customer]{}, err
	}
	return page.Trim(cs, limit, func(c Customer) page.Cursor { return page.Cursor{ID: c.ID} }), nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// AddIdentity attaches another email, phone or handle.
func (s *Service) AddIdentity(ctx context.Context, actor authz.Actor, customerID int64, in Identity) (Identity, error) {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return Identity{}, err
	}
	v, err := NormalizeIdentity(in.Type, in.Value)
	if err != nil {
		field := "value"
		if !slices.Contains(IdentityTypes, in.Type) {
			field = "type"
		}
		return Identity{}, apperr.InvalidField(field, err.Error())
	}
	out := Identity{Type: in.Type, Value: v}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := get(ctx, tx, customerID)
		if err != nil {
			return err
		}
		if len(c.Identities) >= MaxIdentities {
			return apperr.Unprocessable("value", IdentitiesInAll)
		}
		now := db.Millis(s.now())
		if err := insertIdentity(ctx, tx, customerID, out, now); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT id FROM customer_identities WHERE type = ? AND value = ?`, out.Type, out.Value).Scan(&out.ID); err != nil {
			return fmt.Errorf("customer: identity id: %w", err)
		}
		after, err := get(ctx, tx, customerID)
		if err != nil {
			return err
		}
		return s.auditCustomerChange(ctx, tx, actor, "customer.identity_add", customerID, &c, &after)
	})
	return out, err
}

// RemoveIdentity detaches an identity; the last one stays.
func (s *Service) RemoveIdentity(ctx context.Context, actor authz.Actor, customerID, identityID int64) error {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		c, err := get(ctx, tx, customerID)
		if err != nil {
			return err
		}
		found := false
		for _, i := range c.Identities {
			found = found || i.ID == identityID
		}
		if !found {
			return apperr.NotFound("identity", identityID)
		}
		if len(c.Identities) == 1 {
			return apperr.Unprocessable("identity_id", "a customer keeps at least one identity")
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM customer_identities WHERE id = ?`, identityID)
		if err != nil {
			return fmt.Errorf("customer: remove identity: %w", err)
		}
		after, err := get(ctx, tx, customerID)
		if err != nil {
			return err
		}
		return s.auditCustomerChange(ctx, tx, actor, "customer.identity_remove", customerID, &c, &after)
	})
}

// Merge folds mergeID into keepID: identities and tickets move, notes are
// joined, the merged customer is deleted.
func (s *Service) Merge(ctx context.Context, actor authz.Actor, keepID, mergeID int64) (Customer, error) {
	if err := authz.Check(actor, authz.CustomerWrite); err != nil {
		return Customer{}, err
	}
	if mergeID <= 0 {
		return Customer{}, apperr.InvalidField("merge_id", "is required")
	}
	if keepID == mergeID {
		return Customer{}, apperr.InvalidField("merge_id", "cannot merge a customer into itself")
	}
	var c Customer
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		keep, err := get(ctx, tx, keepID)
		if err != nil {
			return err
		}
		gone, err := get(ctx, tx, mergeID)
		if err != nil {
			if apperr.Is(err, apperr.CodeNotFound) {
				return apperr.InvalidField("merge_id", err.Error())
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customer_identities SET customer_id = ?, is_primary = FALSE WHERE customer_id = ?`, keepID, mergeID); err != nil {
			return fmt.Errorf("customer: merge identities: %w", err)
		}
		if s.MoveTickets != nil {
			if err := s.MoveTickets(ctx, tx, mergeID, keepID); err != nil {
				return err
			}
		}
		notes := keep.Notes
		if gone.Notes != "" {
			notes = strings.TrimSpace(notes + "\n\n" + gone.Notes)
		}
		org := keep.OrganizationID
		if org == nil {
			org = gone.OrganizationID
		}
		var orgID int64
		if org != nil {
			orgID = *org
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customers SET notes = ?, organization_id = ?, updated_at = ? WHERE id = ?`,
			notes, db.NullInt(orgID), db.Millis(s.now()), keepID); err != nil {
			return fmt.Errorf("customer: merge update: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, mergeID); err != nil {
			return fmt.Errorf("customer: merge delete: %w", err)
		}
		if c, err = get(ctx, tx, keepID); err != nil {
			return err
		}
		// Before: both customers; after: the one that stays.
		return audit.Record(ctx, tx, s.now(), actor, "customer.merge", customerTarget(keepID), map[string]any{
			"merged": mergeID,
			"before": map[string]any{"kept": customerSnapshot(&keep), "merged": customerSnapshot(&gone)},
			"after":  map[string]any{"kept": customerSnapshot(&c), "merged": nil},
		})
	})
	return c, err
}

// normalizeDomains validates and de-duplicates organization domains.
func normalizeDomains(fe apperr.FieldErrors, in []string) []string {
	out := []string{}
	for i, d := range in {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if !domainRE.MatchString(d) || len(d) > 253 {
			fe.Add(fmt.Sprintf("domains[%d]", i), "must be a domain name such as example.com")
			continue
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	sort.Strings(out)
	return out
}
