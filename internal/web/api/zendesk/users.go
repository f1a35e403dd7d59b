package zendesk

import (
	"context"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/opt"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Users are Ombud's customers (role end-user, listed first, newest first)
// followed by its agents (role agent, or admin), so one list pages through
// both: the cursor says which of the two it is in.

// userCursor wraps the cursor of the customer or agent list.
func userCursor(phase, inner string) *string {
	s := page.Cursor{Str: phase + "|" + inner, ID: 1, Sort: "zendesk:users"}.Encode()
	return &s
}

// userLister pages through the users matching query (name, email or other
// identity, "" for all) and role ("" for all, end-user, agent, admin).
func (a *API) userLister(ctx context.Context, actor authz.Actor, base, query string, role ...string) fetchFunc[User] {
	want := ""
	if len(role) > 0 {
		want = role[0]
	}
	return func(pr page.Request) (page.List[User], error) {
		phase, inner := "c", ""
		if c := pr.Cursor; c != nil {
			if c.Sort != "zendesk:users" {
				return page.List[User]{}, apperr.InvalidField("cursor", "is not a cursor returned by this list")
			}
			phase, inner, _ = strings.Cut(c.Str, "|")
		}
		if want == "agent" || want == "admin" {
			if phase == "c" {
				phase, inner = "a", ""
			}
		}
		ic, err := page.Decode(inner)
		if err != nil {
			return page.List[User]{}, err
		}
		out := page.List[User]{Data: []User{}}
		if phase == "c" {
			list, err := a.Customers.List(ctx, actor, customer.Filter{Query: query, Page: page.Request{Limit: pr.Limit, Cursor: ic}})
			if err != nil {
				return out, err
			}
			for _, c := range list.Data {
				out.Data = append(out.Data, customerUser(base, c))
			}
			switch {
			case list.NextCursor != nil:
				out.NextCursor = userCursor("c", *list.NextCursor)
			case want == "":
				out.NextCursor = userCursor("a", "")
			}
			return out, nil
		}
		f := agent.Filter{Query: query, Page: page.Request{Limit: pr.Limit, Cursor: ic}}
		if want == "admin" {
			f.Role = authz.Admin
		}
		list, err := a.Agents.ListAgents(ctx, actor, f)
		if err != nil {
			return out, err
		}
		for _, ag := range list.Data {
			if want == "agent" && ag.Role == authz.Admin {
				continue
			}
			out.Data = append(out.Data, agentUser(base, ag))
		}
		if list.NextCursor != nil {
			out.NextCursor = userCursor("a", *list.NextCursor)
		}
		return out, nil
	}
}

func userRole(r *http.Request) (string, error) {
	role := r.URL.Query().Get("role")
	switch role {
	case "", "end-user", "agent", "admin":
		return role, nil
	}
	return "", apperr.InvalidField("role", "must be end-user, agent or admin")
}

// ListUsers answers GET /api/v2/users.json (?role=end-user|agent|admin).
func (a *API) ListUsers(w http.ResponseWriter, r *http.Request) error {
	role, err := userRole(r)
	if err != nil {
		return err
	}
	return a.users(w, r, "", role)
}

// SearchUsers answers GET /api/v2/users/search.json?query=: users whose
// name, email or other identity contains the query ("email:" and "name:"
// prefixes are allowed, as Zendesk's search takes them).
func (a *API) SearchUsers(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("query"))
	if q == "" {
		q = strings.TrimSpace(r.URL.Query().Get("email"))
	}
	for _, prefix := range []string{"email:", "name:", "type:user "} {
		q = strings.TrimSpace(strings.TrimPrefix(q, prefix))
	}
	if q == "" {
		return apperr.InvalidField("query", "is required")
	}
	return a.users(w, r, q, "")
}

func (a *API) users(w http.ResponseWriter, r *http.Request, query, role string) error {
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	p, err := readPager(r, maxPageSize)
	if err != nil {
		return err
	}
	res, err := paginate(r, base, p, a.userLister(ctx, actor, base, query, role), nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, with(res.fields, "users", res.items))
}

// user reads one user by Zendesk id.
func (a *API) user(ctx context.Context, actor authz.Actor, base string, id int64) (User, error) {
	u, ok := parseUserID(id)
	if !ok {
		return User{}, apperr.NotFound("user", id)
	}
	if u.agent {
		ag, err := a.Agents.GetAgent(ctx, actor, u.id)
		if err != nil {
			return User{}, err
		}
		return agentUser(base, ag), nil
	}
	c, err := a.Customers.Get(ctx, actor, u.id)
	if err != nil {
		return User{}, err
	}
	return customerUser(base, c), nil
}

// ShowUser answers GET /api/v2/users/{id}.json.
func (a *API) ShowUser(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("user", r.PathValue("id"))
	}
	u, err := a.user(r.Context(), httpx.Actor(r.Context()), a.base(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user": u})
}

// Me answers GET /api/v2/users/me.json: the agent the credentials belong to.
func (a *API) Me(w http.ResponseWriter, r *http.Request) error {
	actor := httpx.Actor(r.Context())
	u, err := a.user(r.Context(), actor, a.base(r), AgentUserID(actor.ID))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user": u})
}

// UserIn is the user object of a create or update body.
type UserIn struct {
	Name           *string          `json:"name"`
	Email          string           `json:"email"`
	Phone          string           `json:"phone"`
	Role           string           `json:"role"`
	OrganizationID opt.Value[int64] `json:"organization_id"`
	Locale         *string          `json:"locale"`
	TimeZone       *string          `json:"iana_time_zone"`
	Notes          *string          `json:"notes"`
}

// UserBody is the body of POST /users.json and PUT /users/{id}.json.
type UserBody struct {
	User *UserIn `json:"user"`
}

// CreateUser answers POST /api/v2/users.json: role end-user (the default)
// makes a customer, agent or admin an agent with that Ombud role (which
// needs the right to manage agents).
func (a *API) CreateUser(w http.ResponseWriter, r *http.Request) error {
	var body UserBody
	if err := decode(r, &body); err != nil {
		return err
	}
	in := body.User
	if in == nil {
		return apperr.InvalidField("user", "is required: send {\"user\":{…}}")
	}
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	name := ""
	if in.Name != nil {
		name = *in.Name
	}
	var u User
	switch in.Role {
	case "", "end-user":
		ci := customer.CustomerInput{Name: name, Notes: deref(in.Notes), Locale: deref(in.Locale)}
		if in.Email != "" {
			ci.Emails = []string{in.Email}
		}
		if in.Phone != "" {
			ci.Phones = []string{in.Phone}
		}
		if in.OrganizationID.Set && !in.OrganizationID.Null {
			ci.OrganizationID = &in.OrganizationID.V
		}
		c, err := a.Customers.Create(ctx, actor, ci)
		if err != nil {
			return err
		}
		u = customerUser(base, c)
	case "agent", "admin":
		role := authz.Agent
		if in.Role == "admin" {
			role = authz.Admin
		}
		ag, err := a.Agents.CreateAgent(ctx, actor, agent.AgentInput{Email: in.Email, Name: name, Role: role, Locale: deref(in.Locale), TimeZone: deref(in.TimeZone)})
		if err != nil {
			return err
		}
		u = agentUser(base, ag)
	default:
		return apperr.InvalidField("role", "must be end-user, agent or admin")
	}
	w.Header().Set("Location", u.URL)
	return writeJSON(w, http.StatusCreated, map[string]any{"user": u})
}

// UpdateUser answers PUT /api/v2/users/{id}.json for end-users: name,
// organization, locale, time zone and notes.
func (a *API) UpdateUser(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("user", r.PathValue("id"))
	}
	var body UserBody
	if err := decode(r, &body); err != nil {
		return err
	}
	in := body.User
	if in == nil {
		return apperr.InvalidField("user", "is required: send {\"user\":{…}}")
	}
	u, ok := parseUserID(id)
	if !ok {
		return apperr.NotFound("user", id)
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	if u.agent {
		return &apperr.Error{Code: apperr.CodeForbidden, Message: "agents are changed in Ombud's own API (/api/v1/agents), not as Zendesk users"}
	}
	c, err := a.Customers.Update(ctx, actor, u.id, customer.CustomerPatch{
		Name: in.Name, OrganizationID: in.OrganizationID, Locale: in.Locale, TimeZone: in.TimeZone, Notes: in.Notes,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user": customerUser(a.base(r), c)})
}

// DeleteUser answers DELETE /api/v2/users/{id}.json: an end-user without
// tickets is deleted; an agent is deactivated, as Zendesk downgrades a
// deleted agent. The answer is the user as it was.
func (a *API) DeleteUser(w http.ResponseWriter, r *http.Request) error {
	id, ok := pathID(r, "id")
	if !ok {
		return apperr.NotFound("user", r.PathValue("id"))
	}
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	before, err := a.user(ctx, actor, base, id)
	if err != nil {
		return err
	}
	u, _ := parseUserID(id)
	if u.agent {
		err = a.Agents.DeactivateAgent(ctx, actor, u.id)
	} else {
		err = a.Customers.Delete(ctx, actor, u.id)
	}
	if err != nil {
		return err
	}
	before.Active = false
	return writeJSON(w, http.StatusOK, map[string]any{"user": before})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
