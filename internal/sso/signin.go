package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// The sign-in is the authorization code flow with PKCE (S256):
//
//  1. Begin stores a random state (hashed), a nonce and the PKCE verifier
//     for ten minutes and returns the provider's authorization URL; the web
//     layer also puts the state in a short-lived cookie, which binds the
//     sign-in to the browser that started it (no login CSRF).
//  2. Finish takes the state once (single use), exchanges the code with the
//     verifier, and has go-oidc verify the ID token: signature against the
//     provider's published keys, issuer, audience (our client id) and
//     expiry; the nonce must be the one stored. The email must be verified
//     by the provider and in an allowed domain.
//  3. The agent is the one linked to the provider's subject, else the one
//     with the verified email (then linked), else a new one when the
//     provider creates agents just in time. With claim mappings, role and
//     mapped teams follow the claim at every sign-in.

const (
	// LoginTTL is how long a sign-in may stay at the provider.
	LoginTTL = 10 * time.Minute
	cacheTTL = time.Hour
)

// Sign-in refusals: catalog keys, shown on the sign-in page. The cause
// (logged, never shown) is attached with fail.
var (
	errUnavailable = apperr.Forbidden("this sign-in method is not available")
	errState       = apperr.Unauthenticated("the single sign-on took too long or was started in another browser; try again")
	errRefused     = apperr.Unauthenticated("the sign-in provider did not sign you in; try again")
	errToken       = apperr.Unauthenticated("the sign-in provider's answer could not be verified; try again or ask an admin")
	errUnverified  = apperr.Forbidden("the sign-in provider has not verified your email address")
	errDomain      = apperr.Forbidden("your email domain may not sign in with this provider")
	errNoAccount   = apperr.Forbidden("there is no agent account for your email address; ask an admin to invite you")
	errInactive    = apperr.Forbidden("your account is deactivated; ask an admin")
	errUnreachable = &apperr.Error{Code: apperr.CodeConflict, Message: "the sign-in provider could not be reached; try again later or ask an admin"}
)

// fail is a refusal carrying its cause for the log.
func fail(e *apperr.Error, cause error) error {
	c := *e
	c.Err = cause
	return &c
}

type cached struct {
	issuer string
	at     time.Time
	op     *oidc.Provider
}

func (s *Service) forget(id int64) {
	s.mu.Lock()
	delete(s.cache, id)
	s.mu.Unlock()
}

func (s *Service) clientContext(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, s.client)
}

// discover returns the provider's metadata (endpoints, keys), fetched at
// most once an hour.
func (s *Service) discover(ctx context.Context, p Provider) (*oidc.Provider, error) {
	s.mu.Lock()
	c, ok := s.cache[p.ID]
	s.mu.Unlock()
	if ok && c.issuer == p.Issuer && s.now().Sub(c.at) < cacheTTL {
		return c.op, nil
	}
	// The key set go-oidc keeps fetches with this context's client later,
	// so it must outlive the request.
	op, err := oidc.NewProvider(s.clientContext(context.WithoutCancel(ctx)), p.Issuer)
	if err != nil {
		return nil, fail(errUnreachable, fmt.Errorf("sso: discover %s: %w", p.Issuer, err))
	}
	s.mu.Lock()
	s.cache[p.ID] = cached{issuer: p.Issuer, at: s.now(), op: op}
	s.mu.Unlock()
	return op, nil
}

func randomString() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func stateHash(state string) string {
	h := sha256.Sum256([]byte("ombud sso state\x00" + state))
	return hex.EncodeToString(h[:])
}

func (s *Service) enabled(ctx context.Context, id int64) (Provider, string, error) {
	p, sealed, err := s.get(ctx, s.db, id)
	if apperr.Is(err, apperr.CodeNotFound) || (err == nil && !p.Enabled) {
		return p, "", errUnavailable
	}
	return p, sealed, err
}

func oauthConfig(p Provider, op *oidc.Provider, secret, redirectURL string) oauth2.Config {
	return oauth2.Config{ClientID: p.ClientID, ClientSecret: secret, Endpoint: op.Endpoint(), RedirectURL: redirectURL, Scopes: p.Scopes}
}

// Start is a sign-in begun: send the browser to URL and keep State in its
// cookie until ExpiresAt.
type Start struct {
	URL       string
	State     string
	ExpiresAt time.Time
}

// Begin starts a sign-in with provider id; redirectURL is this server's
// callback for it and next the page to land on.
func (s *Service) Begin(ctx context.Context, id int64, redirectURL, next string) (Start, error) {
	p, _, err := s.enabled(ctx, id)
	if err != nil {
		return Start{}, err
	}
	op, err := s.discover(ctx, p)
	if err != nil {
		return Start{}, err
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	now := s.now()
	exp := now.Add(LoginTTL)
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_logins WHERE expires_at < ?`, db.Millis(now)); err != nil {
			return fmt.Errorf("sso: begin: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sso_logins (state_hash, provider_id, nonce, verifier, next, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			stateHash(state), p.ID, nonce, verifier, next, db.Millis(now), db.Millis(exp))
		if err != nil {
			return fmt.Errorf("sso: begin: %w", err)
		}
		return nil
	})
	if err != nil {
		return Start{}, err
	}
	cfg := oauthConfig(p, op, "", redirectURL)
	return Start{URL: cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), State: state, ExpiresAt: exp}, nil
}

// Callback is what the provider sent back to the browser, with the state
// the browser's cookie kept.
type Callback struct {
	ProviderID  int64
	State       string // the state query parameter
	CookieState string // the state this browser started with
	Code        string
	Error       string // the provider's error parameter (access_denied, …)
	RedirectURL string
	IP          string
	UserAgent   string
	Locale      string // the sign-in page's language, for a new agent
}

// Result is a finished sign-in.
type Result struct {
	Session auth.SessionInfo // Challenge is set when a code is asked next
	Next    string
	AgentID int64
	Created bool // the agent was created just in time
}

type login struct {
	nonce, verifier, next string
}

// take claims the sign-in state once: a replayed callback finds nothing.
func (s *Service) take(ctx context.Context, providerID int64, state string) (login, error) {
	var l login
	var exp int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		h := stateHash(state)
		err := tx.QueryRowContext(ctx, `SELECT nonce, verifier, next, expires_at FROM sso_logins WHERE state_hash = ? AND provider_id = ?`, h, providerID).
			Scan(&l.nonce, &l.verifier, &l.next, &exp)
		if errors.Is(err, sql.ErrNoRows) {
			return errState
		}
		if err != nil {
			return fmt.Errorf("sso: finish: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_logins WHERE state_hash = ?`, h); err != nil {
			return fmt.Errorf("sso: finish: %w", err)
		}
		return nil
	})
	if err == nil && !db.Time(exp).After(s.now()) {
		return l, errState
	}
	return l, err
}

// Finish completes a sign-in (see the top of this file).
func (s *Service) Finish(ctx context.Context, c Callback) (Result, error) {
	res, err := s.finish(ctx, c)
	var rec recorded
	if errors.As(err, &rec) {
		return res, rec.error // the sign-in service logged it
	}
	if reason := failReason(err); err != nil && reason != "state" {
		// A flow this browser started was refused: a failed sign-in. A
		// stale or forged state is not (no provider was asked, and anyone
		// could send one).
		_ = s.db.Write(context.WithoutCancel(ctx), func(tx *db.Tx) error {
			return audit.Record(ctx, tx, s.now(), authz.Actor{Kind: authz.KindAgent}, "auth.sign_in_failed", fmt.Sprintf("sso_provider:%d", c.ProviderID),
				map[string]any{"ip": c.IP, "method": "sso", "provider": c.ProviderID, "reason": reason})
		})
	}
	return res, err
}

// recorded is an error whose failed sign-in is already in the audit log.
type recorded struct{ error }

func (r recorded) Unwrap() error { return r.error }

// failReason names a refused single sign-on for the audit log.
func failReason(err error) string {
	var ae *apperr.Error
	if err == nil || !errors.As(err, &ae) {
		return "error"
	}
	for reason, e := range map[string]*apperr.Error{"state": errState, "refused": errRefused, "token": errToken, "unverified": errUnverified,
		"domain": errDomain, "no_account": errNoAccount, "inactive": errInactive, "unreachable": errUnreachable, "unavailable": errUnavailable} {
		if ae.Message == e.Message {
			return reason
		}
	}
	return string(ae.Code)
}

func (s *Service) finish(ctx context.Context, c Callback) (Result, error) {
	if c.State == "" || len(c.State) > 200 || subtle.ConstantTimeCompare([]byte(c.State), []byte(c.CookieState)) != 1 {
		return Result{}, errState
	}
	l, err := s.take(ctx, c.ProviderID, c.State)
	if err != nil {
		return Result{}, err
	}
	if c.Error != "" || c.Code == "" {
		return Result{}, fail(errRefused, fmt.Errorf("sso: provider %d answered error %q", c.ProviderID, c.Error))
	}
	p, sealed, err := s.enabled(ctx, c.ProviderID)
	if err != nil {
		return Result{}, err
	}
	op, err := s.discover(ctx, p)
	if err != nil {
		return Result{}, err
	}
	secret := ""
	if sealed != "" {
		if secret, err = s.box.Open(secretPurpose, sealed); err != nil {
			return Result{}, fmt.Errorf("sso: client secret of provider %d: %w", p.ID, err)
		}
	}
	cfg := oauthConfig(p, op, secret, c.RedirectURL)
	cctx := s.clientContext(ctx)
	tok, err := cfg.Exchange(cctx, c.Code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		return Result{}, fail(errToken, fmt.Errorf("sso: code exchange with provider %d: %w", p.ID, err))
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Result{}, fail(errToken, fmt.Errorf("sso: provider %d sent no ID token", p.ID))
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID, Now: s.now}).Verify(cctx, raw)
	if err != nil {
		return Result{}, fail(errToken, fmt.Errorf("sso: ID token of provider %d: %w", p.ID, err))
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(l.nonce)) != 1 {
		return Result{}, fail(errToken, fmt.Errorf("sso: ID token of provider %d: nonce does not match", p.ID))
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return Result{}, fail(errToken, fmt.Errorf("sso: claims of provider %d: %w", p.ID, err))
	}
	id := identity{subject: idt.Subject, claims: claims}
	if err := id.check(p); err != nil {
		return Result{}, err
	}
	agentID, created, err := s.agentFor(ctx, p, id, c.Locale)
	if err != nil {
		return Result{}, err
	}
	sess, err := s.sessions.SignInExternal(ctx, auth.ExternalSignIn{AgentID: agentID, MFA: p.MFA, IP: c.IP, UserAgent: c.UserAgent,
		Detail: map[string]any{"provider": p.ID, "subject": id.subject}})
	if err != nil {
		return Result{}, recorded{err}
	}
	return Result{Session: sess, Next: l.next, AgentID: agentID, Created: created}, nil
}

// identity is what a verified ID token says.
type identity struct {
	subject string
	email   string
	claims  map[string]any
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// check requires a verified email in an allowed domain. Entra ID sends no
// email_verified; its optional claim xms_edov (the email's domain is
// verified by the tenant) stands for it (docs/sso.md).
func (id *identity) check(p Provider) error {
	email, _ := id.claims["email"].(string)
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if id.subject == "" || err != nil || addr.Name != "" || !strings.Contains(addr.Address, "@") {
		return fail(errUnverified, fmt.Errorf("sso: provider %d sent no usable email", p.ID))
	}
	id.email = strings.ToLower(addr.Address)
	if !truthy(id.claims["email_verified"]) && !truthy(id.claims["xms_edov"]) {
		return errUnverified
	}
	domain := id.email[strings.LastIndex(id.email, "@")+1:]
	if len(p.AllowedDomains) > 0 && !slices.Contains(p.AllowedDomains, domain) {
		return errDomain
	}
	return nil
}

// values is the mapped claim's values: a string or a list of strings.
func (id identity) values(claim string) []string {
	switch x := id.claims[claim].(type) {
	case string:
		return []string{x}
	case []any:
		out := []string{}
		for _, v := range x {
			if s, ok := v.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func (id identity) name() string {
	for _, k := range []string{"name", "preferred_username"} {
		if n, _ := id.claims[k].(string); strings.TrimSpace(n) != "" && !strings.Contains(n, "@") && len(n) <= 100 {
			return strings.TrimSpace(n)
		}
	}
	given, _ := id.claims["given_name"].(string)
	family, _ := id.claims["family_name"].(string)
	if n := strings.TrimSpace(given + " " + family); n != "" && len(n) <= 100 {
		return n
	}
	return id.email[:strings.Index(id.email, "@")]
}

// grants is what the claim mappings give: role is "" when no role mapping
// exists (the role is not managed), managed lists every mapped team.
type grants struct {
	role    authz.Role
	teams   []int64
	managed []int64
}

func (p Provider) grants(values []string) grants {
	var g grants
	best, roleMapped := -1, false
	for _, m := range p.Mappings {
		hit := slices.Contains(values, m.Value)
		if m.Role != "" {
			roleMapped = true
			if i := slices.Index(authz.Roles, m.Role); hit && (best < 0 || i < best) {
				best = i // the most privileged matching role wins
			}
			continue
		}
		if !slices.Contains(g.managed, m.TeamID) {
			g.managed = append(g.managed, m.TeamID)
		}
		if hit && !slices.Contains(g.teams, m.TeamID) {
			g.teams = append(g.teams, m.TeamID)
		}
	}
	if roleMapped {
		g.role = p.DefaultRole
		if best >= 0 {
			g.role = authz.Roles[best]
		}
	}
	return g
}

// agentFor finds (or creates) the agent and brings role and mapped teams
// in line with the claim.
func (s *Service) agentFor(ctx context.Context, p Provider, id identity, locale string) (int64, bool, error) {
	g := p.grants(id.values(p.Claim))
	var agentID int64
	err := s.db.QueryRowContext(ctx, `SELECT agent_id FROM sso_identities WHERE provider_id = ? AND subject = ?`, p.ID, id.subject).Scan(&agentID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("sso: find link: %w", err)
	}
	linked := err == nil
	if !linked {
		a, err := s.agents.ByEmail(ctx, id.email)
		if err != nil && !apperr.Is(err, apperr.CodeNotFound) {
			return 0, false, fmt.Errorf("sso: find agent: %w", err)
		}
		agentID = a.ID
	}
	created := false
	if agentID == 0 {
		if !p.JIT {
			return 0, false, errNoAccount
		}
		role := g.role
		if role == "" {
			role = p.DefaultRole
		}
		if !slices.Contains(agent.Locales, locale) {
			locale = "en"
		}
		a, err := s.agents.CreateAgent(ctx, authz.System, agent.AgentInput{Email: id.email, Name: id.name(), Role: role, Locale: locale, TeamIDs: g.teams})
		if err != nil {
			return 0, false, fmt.Errorf("sso: create agent %s: %w", id.email, err)
		}
		agentID, created = a.ID, true
	} else {
		a, err := s.agents.GetAgent(ctx, authz.System, agentID)
		if err != nil {
			return 0, false, err
		}
		if !a.Active {
			return 0, false, errInactive
		}
		if err := s.sync(ctx, a, g); err != nil {
			return 0, false, err
		}
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if linked {
			_, err := tx.ExecContext(ctx, `UPDATE sso_identities SET last_used_at = ? WHERE provider_id = ? AND subject = ?`, db.Millis(now), p.ID, id.subject)
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sso_identities (provider_id, subject, agent_id, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)`,
			p.ID, id.subject, agentID, db.Millis(now), db.Millis(now)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, authz.System, "sso.link", id.email, map[string]any{"provider": p.ID, "subject": id.subject, "agent": agentID, "created": created})
	})
	if err != nil {
		return 0, false, fmt.Errorf("sso: link agent %d: %w", agentID, err)
	}
	return agentID, created, nil
}

// sync applies the claim's role and mapped teams to an existing agent;
// teams no mapping names are left alone.
func (s *Service) sync(ctx context.Context, a agent.Agent, g grants) error {
	var patch agent.AgentPatch
	if g.role != "" && g.role != a.Role {
		r := g.role
		patch.Role = &r
	}
	if len(g.managed) > 0 {
		teams := []int64{}
		for _, t := range a.TeamIDs {
			if !slices.Contains(g.managed, t) {
				teams = append(teams, t)
			}
		}
		teams = append(teams, g.teams...)
		if !sameSet(teams, a.TeamIDs) {
			patch.TeamIDs = &teams
		}
	}
	if patch == (agent.AgentPatch{}) {
		return nil
	}
	if _, err := s.agents.UpdateAgent(ctx, authz.System, a.ID, patch); err != nil {
		return fmt.Errorf("sso: sync agent %d: %w", a.ID, err)
	}
	return nil
}

func sameSet(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}
