// Package sso signs agents in with OpenID Connect providers (Keycloak,
// Entra ID, Google, Okta, …): the providers an admin configured, the
// mapping of a token claim to roles and teams, the roles that must use it,
// and the authorization code flow with PKCE, state and nonce (signin.go).
// Sessions themselves are the auth package's.
package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
)

// secretPurpose binds sealed client secrets to their column.
const secretPurpose = "sso_providers.client_secret"

// Limits of a provider's settings.
const (
	MaxProviders = 20
	MaxMappings  = 100
	MaxDomains   = 50
	MaxScopes    = 20
)

// Provider is an OpenID Connect provider agents may sign in with. The
// client secret never leaves the package; HasSecret says one is stored.
type Provider struct {
	ID             int64      `json:"id"`
	Name           string     `json:"name"` // the button reads "Sign in with <Name>"
	Issuer         string     `json:"issuer"`
	ClientID       string     `json:"client_id"`
	HasSecret      bool       `json:"has_secret"`
	Scopes         []string   `json:"scopes"`
	AllowedDomains []string   `json:"allowed_domains"` // empty: every domain
	Claim          string     `json:"claim"`           // e.g. groups or roles
	Mappings       []Mapping  `json:"mappings"`
	DefaultRole    authz.Role `json:"default_role"`
	JIT            bool       `json:"jit"` // create agents on their first sign-in
	MFA            bool       `json:"mfa"` // the provider enforces multi-factor sign-in
	Enabled        bool       `json:"enabled"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Mapping grants a role or a team membership to agents whose Claim holds
// Value. Exactly one of Role and TeamID is set.
type Mapping struct {
	Value  string     `json:"value"`
	Role   authz.Role `json:"role,omitempty"`
	TeamID int64      `json:"team_id,omitempty"`
}

// Input creates or replaces a provider's settings. ClientSecret nil keeps
// the stored one.
type Input struct {
	Name           string
	Issuer         string
	ClientID       string
	ClientSecret   *string
	Scopes         []string
	AllowedDomains []string
	Claim          string
	Mappings       []Mapping
	DefaultRole    authz.Role
	JIT            bool
	MFA            bool
	Enabled        bool
}

// Agents is what sign-in needs of the agent service.
type Agents interface {
	CreateAgent(ctx context.Context, actor authz.Actor, in agent.AgentInput) (agent.Agent, error)
	UpdateAgent(ctx context.Context, actor authz.Actor, id int64, p agent.AgentPatch) (agent.Agent, error)
	GetAgent(ctx context.Context, actor authz.Actor, id int64) (agent.Agent, error)
	ByEmail(ctx context.Context, email string) (agent.Agent, error)
}

// Sessions opens the session of a signed-in agent.
type Sessions interface {
	SignInExternal(ctx context.Context, in auth.ExternalSignIn) (auth.SessionInfo, error)
}

// Service keeps the providers and signs agents in with them.
type Service struct {
	db       *db.DB
	now      func() time.Time
	box      *secret.Box
	agents   Agents
	sessions Sessions
	client   *http.Client

	mu    sync.Mutex
	cache map[int64]cached // discovered provider metadata (signin.go)
}

// NewService returns the SSO service; box seals client secrets.
func NewService(d *db.DB, now func() time.Time, box *secret.Box, agents Agents, sessions Sessions) *Service {
	return &Service{db: d, now: now, box: box, agents: agents, sessions: sessions,
		client: &http.Client{Timeout: 15 * time.Second}, cache: map[int64]cached{}}
}

// SetHTTPClient replaces the client that talks to providers.
func (s *Service) SetHTTPClient(c *http.Client) { s.client = c }

var (
	claimRE  = regexp.MustCompile(`^[A-Za-z0-9_:./\-]{1,100}$`)
	scopeRE  = regexp.MustCompile(`^[\x21\x23-\x5b\x5d-\x7e]{1,100}$`)
	domainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9\-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]{0,62}[a-z0-9])?)+$`)
)

// loopback reports whether host is this machine (http is allowed there,
// for a provider in a test or on the same host).
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Service) validate(ctx context.Context, q db.Querier, in *Input) error {
	fe := apperr.FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 60 {
		fe.Add("name", "must be 1 to 60 characters")
	}
	in.Issuer = strings.TrimSpace(in.Issuer)
	if u, err := url.Parse(in.Issuer); err != nil || u.Host == "" || len(in.Issuer) > 500 || u.RawQuery != "" || u.Fragment != "" ||
		!(u.Scheme == "https" || (u.Scheme == "http" && loopback(u.Hostname()))) {
		fe.Add("issuer", "must be the provider's https issuer URL")
	}
	in.ClientID = strings.TrimSpace(in.ClientID)
	if in.ClientID == "" || len(in.ClientID) > 300 {
		fe.Add("client_id", "must be 1 to 300 characters")
	}
	if in.ClientSecret != nil && len(*in.ClientSecret) > 1000 {
		fe.Add("client_secret", "must be at most 1000 characters")
	}
	if !fe.MaxItems("scopes", len(in.Scopes), MaxScopes) {
		scopes := []string{"openid"}
		for _, sc := range in.Scopes {
			if !scopeRE.MatchString(sc) {
				fe.Add("scopes", "must be scope names separated by spaces")
				break
			}
			if !slices.Contains(scopes, sc) {
				scopes = append(scopes, sc)
			}
		}
		in.Scopes = scopes
	}
	if !fe.MaxItems("allowed_domains", len(in.AllowedDomains), MaxDomains) {
		var ds []string
		for _, d := range in.AllowedDomains {
			d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@"))
			if !domainRE.MatchString(d) {
				fe.Add("allowed_domains", "must be domain names such as example.com")
				break
			}
			if !slices.Contains(ds, d) {
				ds = append(ds, d)
			}
		}
		in.AllowedDomains = ds
	}
	in.Claim = strings.TrimSpace(in.Claim)
	if in.Claim != "" && !claimRE.MatchString(in.Claim) {
		fe.Add("claim", "must be a claim name such as groups or roles")
	}
	if in.Claim == "" && len(in.Mappings) > 0 {
		fe.Add("claim", "is required when claim values are mapped")
	}
	if !fe.MaxItems("mappings", len(in.Mappings), MaxMappings) {
		for i, m := range in.Mappings {
			m.Value = strings.TrimSpace(m.Value)
			in.Mappings[i].Value = m.Value
			field := fmt.Sprintf("mappings[%d]", i)
			switch {
			case m.Value == "" || len(m.Value) > 200:
				fe.Add(field, "a claim value must be 1 to 200 characters")
			case (m.Role == "") == (m.TeamID == 0):
				fe.Add(field, "maps a claim value to a role or to a team")
			case m.Role != "" && !m.Role.Valid():
				fe.Add(field, "must be one of admin, manager, agent, qa_reviewer, collaborator")
			case m.TeamID != 0:
				var n int
				if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = ?`, m.TeamID).Scan(&n); err != nil {
					return fmt.Errorf("sso: check team: %w", err)
				}
				if n == 0 {
					fe.Add(field, "names a team that does not exist")
				}
			}
		}
	}
	if in.DefaultRole == "" {
		in.DefaultRole = authz.Agent
	}
	if !in.DefaultRole.Valid() {
		fe.Add("default_role", "must be one of admin, manager, agent, qa_reviewer, collaborator")
	}
	return fe.Err()
}

const providerCols = `id, name, issuer, client_id, client_secret, scopes, allowed_domains, claim, default_role, jit, mfa, enabled, created_at, updated_at`

func scanProvider(sc interface{ Scan(...any) error }) (Provider, string, error) {
	var p Provider
	var sealed, scopes, domains, role string
	var c, u int64
	if err := sc.Scan(&p.ID, &p.Name, &p.Issuer, &p.ClientID, &sealed, &scopes, &domains, &p.Claim, &role, &p.JIT, &p.MFA, &p.Enabled, &c, &u); err != nil {
		return p, "", err
	}
	p.HasSecret = sealed != ""
	p.Scopes, p.AllowedDomains = strings.Fields(scopes), strings.Fields(domains)
	p.DefaultRole = authz.Role(role)
	p.CreatedAt, p.UpdatedAt = db.Time(c), db.Time(u)
	p.Mappings = []Mapping{}
	return p, sealed, nil
}

func (s *Service) get(ctx context.Context, q db.Querier, id int64) (Provider, string, error) {
	p, sealed, err := scanProvider(q.QueryRowContext(ctx, `SELECT `+providerCols+` FROM sso_providers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, "", apperr.NotFound("SSO provider", id)
	}
	if err != nil {
		return p, "", fmt.Errorf("sso: get provider %d: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT value, role, COALESCE(team_id, 0) FROM sso_mappings WHERE provider_id = ? ORDER BY id`, id)
	if err != nil {
		return p, "", fmt.Errorf("sso: mappings of %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var m Mapping
		if err := rows.Scan(&m.Value, &m.Role, &m.TeamID); err != nil {
			return p, "", fmt.Errorf("sso: mappings of %d: %w", id, err)
		}
		p.Mappings = append(p.Mappings, m)
	}
	return p, sealed, rows.Err()
}

// Provider returns one provider's settings; it needs agent.admin_write.
func (s *Service) Provider(ctx context.Context, actor authz.Actor, id int64) (Provider, error) {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return Provider{}, err
	}
	p, _, err := s.get(ctx, s.db, id)
	return p, err
}

// Providers lists every provider by name; it needs agent.admin_write.
func (s *Service) Providers(ctx context.Context, actor authz.Actor) ([]Provider, error) {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return nil, err
	}
	return s.list(ctx, false)
}

func (s *Service) list(ctx context.Context, enabledOnly bool) ([]Provider, error) {
	q := `SELECT ` + providerCols + ` FROM sso_providers`
	if enabledOnly {
		q += ` WHERE enabled`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("sso: list providers: %w", err)
	}
	defer rows.Close()
	out := []Provider{}
	for rows.Next() {
		p, _, err := scanProvider(rows)
		if err != nil {
			return nil, fmt.Errorf("sso: list providers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Button is a sign-in page's "Sign in with …" button.
type Button struct {
	ID   int64
	Name string
}

// Buttons lists the enabled providers for the sign-in page (anyone).
func (s *Service) Buttons(ctx context.Context) ([]Button, error) {
	ps, err := s.list(ctx, true)
	if err != nil {
		return nil, err
	}
	out := make([]Button, 0, len(ps))
	for _, p := range ps {
		out = append(out, Button{ID: p.ID, Name: p.Name})
	}
	return out, nil
}

func (s *Service) seal(in Input) (string, error) {
	if in.ClientSecret == nil || *in.ClientSecret == "" {
		return "", nil
	}
	if s.box == nil {
		return "", errors.New("sso: no secret box configured")
	}
	return s.box.Seal(secretPurpose, *in.ClientSecret)
}

func writeMappings(ctx context.Context, tx *db.Tx, id int64, ms []Mapping) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sso_mappings WHERE provider_id = ?`, id); err != nil {
		return fmt.Errorf("sso: mappings: %w", err)
	}
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sso_mappings (provider_id, value, role, team_id) VALUES (?, ?, ?, ?)`,
			id, m.Value, string(m.Role), db.NullInt(m.TeamID)); err != nil {
			return fmt.Errorf("sso: mappings: %w", err)
		}
	}
	return nil
}

// auditData is what the audit row keeps of a provider: never the secret.
func auditData(in Input, before, after *Provider) map[string]any {
	var b, a any
	if before != nil {
		b = *before
	}
	if after != nil {
		a = *after
	}
	data := audit.Change(b, a)
	// Provider carries whether a client secret is set, never the secret;
	// a replaced secret shows here (redacted to a marker).
	data["secret_changed"] = in.ClientSecret != nil
	return data
}

// CreateProvider adds a provider; it needs agent.admin_write.
func (s *Service) CreateProvider(ctx context.Context, actor authz.Actor, in Input) (Provider, error) {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return Provider{}, err
	}
	if err := s.validate(ctx, s.db, &in); err != nil {
		return Provider{}, err
	}
	sealed, err := s.seal(in)
	if err != nil {
		return Provider{}, err
	}
	var p Provider
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_providers`).Scan(&n); err != nil {
			return fmt.Errorf("sso: count providers: %w", err)
		}
		if n >= MaxProviders {
			return apperr.Conflict("name", apperr.TooMany(MaxProviders))
		}
		now := s.now()
		id, err := tx.InsertID(ctx, `INSERT INTO sso_providers (name, issuer, client_id, client_secret, scopes, allowed_domains, claim, default_role, jit, mfa, enabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, in.Name, in.Issuer, in.ClientID, sealed, strings.Join(in.Scopes, " "),
			strings.Join(in.AllowedDomains, " "), in.Claim, string(in.DefaultRole), in.JIT, in.MFA, in.Enabled, db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("sso: create provider: %w", err)
		}
		if err := writeMappings(ctx, tx, id, in.Mappings); err != nil {
			return err
		}
		if p, _, err = s.get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "sso.provider_create", fmt.Sprint(id), auditData(in, nil, &p))
	})
	return p, err
}

// UpdateProvider replaces a provider's settings; it needs agent.admin_write.
func (s *Service) UpdateProvider(ctx context.Context, actor authz.Actor, id int64, in Input) (Provider, error) {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return Provider{}, err
	}
	if err := s.validate(ctx, s.db, &in); err != nil {
		return Provider{}, err
	}
	sealed, err := s.seal(in)
	if err != nil {
		return Provider{}, err
	}
	var p Provider
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		old, oldSealed, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if in.ClientSecret == nil {
			sealed = oldSealed
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE sso_providers SET name = ?, issuer = ?, client_id = ?, client_secret = ?, scopes = ?, allowed_domains = ?,
			claim = ?, default_role = ?, jit = ?, mfa = ?, enabled = ?, updated_at = ? WHERE id = ?`, in.Name, in.Issuer, in.ClientID, sealed,
			strings.Join(in.Scopes, " "), strings.Join(in.AllowedDomains, " "), in.Claim, string(in.DefaultRole), in.JIT, in.MFA, in.Enabled, db.Millis(now), id); err != nil {
			return fmt.Errorf("sso: update provider %d: %w", id, err)
		}
		if err := writeMappings(ctx, tx, id, in.Mappings); err != nil {
			return err
		}
		if p, _, err = s.get(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "sso.provider_update", fmt.Sprint(id), auditData(in, &old, &p))
	})
	if err == nil {
		s.forget(id)
	}
	return p, err
}

// DeleteProvider removes a provider and its agents' links to it; it needs
// agent.admin_write. Refused while it is the only enabled provider of
// roles that must use SSO (nobody of them could sign in).
func (s *Service) DeleteProvider(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.AgentAdminWrite); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		old, _, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		var others, required int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_providers WHERE enabled AND id <> ?`, id).Scan(&others); err != nil {
			return fmt.Errorf("sso: delete provider: %w", err)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_required_roles`).Scan(&required); err != nil {
			return fmt.Errorf("sso: delete provider: %w", err)
		}
		if old.Enabled && others == 0 && required > 0 {
			return apperr.Conflict("", "roles must sign in with single sign-on; clear that requirement before deleting the last provider")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_providers WHERE id = ?`, id); err != nil {
			return fmt.Errorf("sso: delete provider %d: %w", id, err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "sso.provider_delete", fmt.Sprint(id), audit.Change(old, nil))
	})
	if err == nil {
		s.forget(id)
	}
	return err
}

// SealSecrets seals client secrets stored unsealed and, with rotate,
// re-seals those sealed with a previous key (`ombud secrets rotate`).
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	if s.box == nil {
		return t, nil
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		t = secret.Tally{}
		type row struct {
			id     int64
			stored string
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, client_secret FROM sso_providers WHERE client_secret <> '' ORDER BY id`)
		if err != nil {
			return fmt.Errorf("sso: read client secrets: %w", err)
		}
		var all []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.stored); err != nil {
				rows.Close()
				return fmt.Errorf("sso: read client secrets: %w", err)
			}
			all = append(all, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("sso: read client secrets: %w", err)
		}
		for _, r := range all {
			out, write := s.box.Sweep(secretPurpose, r.stored, rotate, &t)
			if !write {
				continue
			}
			if _, err := tx.ExecContext(ctx, `UPDATE sso_providers SET client_secret = ? WHERE id = ? AND client_secret = ?`, out, r.id, r.stored); err != nil {
				return fmt.Errorf("sso: seal client secret of %d: %w", r.id, err)
			}
		}
		return nil
	})
	return t, err
}
