// Package zendesk serves a Zendesk-compatible subset of the Zendesk Support
// API under /api/v2 (docs/zendesk.md): tickets and their comments, users,
// organizations, search and the incremental ticket export, in Zendesk's
// JSON shapes, pagination and error shapes, so scripts and integrations
// written for Zendesk keep working against Ombud.
//
// It is a translation layer only: every handler maps the Zendesk request to
// one or more calls of Ombud's services (ticket, customer, agent) with the
// caller as actor, and maps the answer back. Permissions and business rules
// stay in the services.
package zendesk

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// API holds the services the /api/v2 handlers translate to.
type API struct {
	Tickets   *ticket.Service
	Customers *customer.Service
	Agents    *agent.Service
	Auth      *auth.Service
	Deleter   Deleter // ticket deletion and spam marks (delete.go)
	// BaseURL is the configured public URL; links in answers use it when
	// the request came to its host, else the request's own host.
	BaseURL string
	Log     *slog.Logger
}

// Prefix is the path every route of this package starts with.
const Prefix = "/api/v2/"

// AgentUserBase is added to an agent's id to make its Zendesk user id.
// Zendesk has one user id space for end users and staff; Ombud keeps
// customers and agents apart, each numbered from 1. Customers keep their
// own id as user id (the same number as in /api/v1), agents are moved far
// above any customer id (still exact in a JavaScript number).
const AgentUserBase int64 = 1_000_000_000_000

// AgentUserID is the Zendesk user id of agent id.
func AgentUserID(id int64) int64 { return AgentUserBase + id }

// userRef is what a Zendesk user id names in Ombud.
type userRef struct {
	agent bool
	id    int64
}

// parseUserID splits a Zendesk user id into an agent or a customer id.
func parseUserID(n int64) (userRef, bool) {
	switch {
	case n > AgentUserBase:
		return userRef{agent: true, id: n - AgentUserBase}, true
	case n > 0 && n < AgentUserBase:
		return userRef{id: n}, true
	}
	return userRef{}, false
}

// pathID reads a path id as Zendesk clients send it: "123" or "123.json".
func pathID(r *http.Request, name string) (int64, bool) {
	s := strings.TrimSuffix(r.PathValue(name), ".json")
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// BasicActor authenticates Zendesk's Basic credentials
// "{email}/token:{api_token}" with an Ombud API token: the token must be
// valid and belong to the agent with that email.
func (a *API) BasicActor(ctx context.Context, header string) (authz.Actor, error) {
	raw, ok := strings.CutPrefix(header, "Basic ")
	if !ok {
		return authz.Actor{}, apperr.Unauthenticated("use Basic {email}/token:{api_token} or Bearer {api_token}")
	}
	dec, err := base64.StdEncoding.DecodeString(strings.TrimSpace(raw))
	if err != nil {
		return authz.Actor{}, apperr.Unauthenticated("the Basic credentials are not base64")
	}
	user, token, ok := strings.Cut(string(dec), ":")
	email, isToken := strings.CutSuffix(user, "/token")
	if !ok || !isToken || email == "" || token == "" {
		return authz.Actor{}, apperr.Unauthenticated("use Basic {email}/token:{api_token} with an Ombud API token (passwords are not accepted)")
	}
	actor, err := a.Auth.TokenActor(ctx, token)
	if err != nil {
		return authz.Actor{}, err
	}
	briefs, err := a.Agents.Brief(ctx, []int64{actor.ID})
	if err != nil {
		return authz.Actor{}, err
	}
	if b, ok := briefs[actor.ID]; !ok || !strings.EqualFold(b.Email, strings.TrimSpace(email)) {
		return authz.Actor{}, apperr.Unauthenticated("the API token does not belong to " + email)
	}
	return actor, nil
}

// base is the scheme and host links in answers start with.
func (a *API) base(r *http.Request) string {
	if u, err := url.Parse(a.BaseURL); err == nil && u.Host == r.Host && u.Scheme != "" {
		return u.Scheme + "://" + u.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// decode reads a JSON body leniently, as Zendesk does: fields Ombud does
// not map (url, via, satisfaction_rating, … from a read-modify-write) are
// ignored rather than refused.
func decode(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &apperr.Error{Code: apperr.CodeUnsupported, Message: "send the body as application/json"}
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return httpx.DecodeJSONReader(failing{err}, dst) // a body over the limit: 413, as the rest of the API says it
	}
	// Validate as the rest of the API does (UTF-8, one object, no NUL)…
	var probe json.RawMessage
	if err := httpx.DecodeJSONReader(strings.NewReader(string(b)), &probe); err != nil {
		return err
	}
	if strings.Contains(string(b), `\u0000`) {
		return apperr.InvalidField("body", "must not contain the NUL character (\\u0000)")
	}
	// …then decode without refusing unknown fields.
	if err := json.Unmarshal(b, dst); err != nil {
		return apperr.InvalidField("body", "does not have the expected shape: "+err.Error())
	}
	return nil
}

// failing is a reader that fails with err.
type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }

func writeJSON(w http.ResponseWriter, status int, v any) error {
	return httpx.WriteJSON(w, status, v)
}
