package sso

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	agentsvc "github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	ssosvc "github.com/ombud/ombud/internal/sso"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// This file holds the admin pages: the provider list with who must use
// single sign-on, and one provider's settings.

var roleLabels = map[authz.Role]string{
	authz.Admin: "Admin", authz.Manager: "Manager", authz.Agent: "Agent", authz.QAReviewer: "QA reviewer", authz.Collaborator: "Collaborator",
}

func roleOptions() []ui.Option {
	out := []ui.Option{}
	for _, r := range authz.Roles {
		out = append(out, ui.Option{Value: string(r), Label: roleLabels[r]})
	}
	return out
}

// Page answers GET /admin/sso.
func (u *UI) Page(w http.ResponseWriter, r *http.Request) error {
	pol, err := u.SSO.Policy(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	f := ui.NewForm(map[string]string{"break_glass_id": strconv.FormatInt(pol.BreakGlassID, 10)})
	for _, role := range pol.Roles {
		f.Multi["role"] = append(f.Multi["role"], string(role))
	}
	flash := ui.FlashOf(r, map[string]string{"saved": "Saved.", "deleted": "Provider deleted."})
	return u.listPage(w, r, http.StatusOK, f, flash, "")
}

func (u *UI) listPage(w http.ResponseWriter, r *http.Request, status int, f ui.Form, flash, errMsg string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	ps, err := u.SSO.Providers(ctx, actor)
	if err != nil {
		return err
	}
	admins, err := u.Agents.ListAgents(ctx, actor, agentsvc.Filter{Role: authz.Admin, Page: page.Request{Limit: 100}})
	if err != nil {
		return err
	}
	glass := []ui.Option{{Value: "0", Label: "None"}}
	for _, a := range admins.Data {
		if a.Active {
			glass = append(glass, ui.Option{Value: strconv.FormatInt(a.ID, 10), Label: a.Name + " (" + a.Email + ")"})
		}
	}
	return u.render(w, r, status, "ssoadmin", ui.PageData{Title: "Single sign-on", Nav: "sso", Flash: flash, Error: errMsg, Data: map[string]any{
		"Providers": ps,
		"Roles": f.Checks("role", "Require single sign-on for", "Agents of a checked role cannot sign in with a password; API tokens are not affected.",
			roleOptions()),
		"Glass":    []ui.FormField{f.Choice("break_glass_id", "Break-glass admin", glass, "This admin may still sign in with a password when every provider is down.")},
		"Callback": u.base(r) + "/login/sso/ID/callback",
	}})
}

// SavePolicy answers POST /admin/sso/policy.
func (u *UI) SavePolicy(w http.ResponseWriter, r *http.Request) error {
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	var pol ssosvc.Policy
	for _, v := range f.Multi["role"] {
		pol.Roles = append(pol.Roles, authz.Role(v))
	}
	if v := f.V("break_glass_id"); v != "" {
		if pol.BreakGlassID, err = strconv.ParseInt(v, 10, 64); err != nil || pol.BreakGlassID < 0 {
			f.Errs["break_glass_id"] = "must be chosen from the list"
			return u.listPage(w, r, http.StatusBadRequest, f, "", "")
		}
	}
	if err := u.SSO.SetPolicy(r.Context(), httpx.Actor(r.Context()), pol); err != nil {
		st, msg, ok := ui.Refused(err, f)
		if !ok {
			return err
		}
		if m, ok := f.Errs["roles"]; ok {
			f.Errs["role"] = m
		}
		return u.listPage(w, r, st, f, "", msg)
	}
	http.Redirect(w, r, "/admin/sso?saved=1", http.StatusSeeOther)
	return nil
}

// providerForm fills the form from a provider's settings.
func providerForm(p ssosvc.Provider, teams map[int64]string) ui.Form {
	var lines []string
	for _, m := range p.Mappings {
		target := string(m.Role)
		if m.TeamID != 0 {
			target = teams[m.TeamID]
		}
		lines = append(lines, m.Value+" = "+target)
	}
	f := ui.NewForm(map[string]string{"name": p.Name, "issuer": p.Issuer, "client_id": p.ClientID, "scopes": strings.Join(p.Scopes, " "),
		"allowed_domains": strings.Join(p.AllowedDomains, " "), "claim": p.Claim, "mappings": strings.Join(lines, "\n"),
		"default_role": string(p.DefaultRole)})
	for k, on := range map[string]bool{"jit": p.JIT, "mfa": p.MFA, "enabled": p.Enabled} {
		if on {
			f.Values[k] = "on"
		}
	}
	return f
}

// input reads the provider form; false when a line of the mapping is not
// understood (the form then carries the message).
func input(f ui.Form, teams []agentsvc.Team) (ssosvc.Input, bool) {
	in := ssosvc.Input{Name: f.V("name"), Issuer: f.V("issuer"), ClientID: f.V("client_id"), Scopes: strings.Fields(f.V("scopes")),
		AllowedDomains: ui.SplitList(strings.ReplaceAll(f.V("allowed_domains"), " ", ",")), Claim: f.V("claim"),
		DefaultRole: authz.Role(f.V("default_role")), JIT: f.V("jit") != "", MFA: f.V("mfa") != "", Enabled: f.V("enabled") != ""}
	if s := f.Values["client_secret"]; s != "" {
		in.ClientSecret = &s
	}
	for _, line := range ui.SplitLines(f.Values["mappings"]) {
		// The last "=" splits: group names such as LDAP DNs hold "=".
		i := strings.LastIndex(line, "=")
		if i <= 0 {
			f.Errs["mappings"] = "each line must be a claim value, an equals sign and a role or a team's name"
			return in, false
		}
		value, target := strings.TrimSpace(line[:i]), strings.TrimSpace(line[i+1:])
		m := ssosvc.Mapping{Value: value}
		if role := authz.Role(strings.ToLower(strings.ReplaceAll(target, " ", "_"))); role.Valid() {
			m.Role = role
		} else if j := slices.IndexFunc(teams, func(t agentsvc.Team) bool { return strings.EqualFold(t.Name, target) }); j >= 0 {
			m.TeamID = teams[j].ID
		} else {
			f.Errs["mappings"] = "each line must be a claim value, an equals sign and a role or a team's name"
			return in, false
		}
		in.Mappings = append(in.Mappings, m)
	}
	return in, true
}

// NewProviderPage answers GET /admin/sso/new.
func (u *UI) NewProviderPage(w http.ResponseWriter, r *http.Request) error {
	if err := authz.Check(httpx.Actor(r.Context()), authz.AgentAdminWrite); err != nil {
		return err
	}
	f := ui.NewForm(map[string]string{"scopes": "openid email profile", "default_role": string(authz.Agent), "enabled": "on"})
	return u.providerPage(w, r, http.StatusOK, ssosvc.Provider{}, f, "", "")
}

func (u *UI) providerPage(w http.ResponseWriter, r *http.Request, status int, p ssosvc.Provider, f ui.Form, flash, errMsg string) error {
	secretHint := "Stored encrypted. Leave it empty for a public client, which PKCE protects."
	if p.HasSecret {
		secretHint = "A secret is stored (encrypted, never shown). Leave it empty to keep it."
	}
	sets := []ui.Fieldset{
		{Legend: "Provider", Fields: []ui.FormField{
			f.Field("name", "Button label", "text", true, "The sign-in page shows Sign in with and this label."),
			f.Field("issuer", "Issuer URL", "url", true, "The provider's issuer, exactly as its discovery document names it."),
			f.Field("client_id", "Client ID", "text", true, ""),
			f.Field("client_secret", "Client secret", "password", false, secretHint),
			f.Field("scopes", "Scopes", "text", false, "Separated by spaces; openid is always asked for."),
			f.Field("enabled", "Show the button on the sign-in page", "checkbox", false, ""),
		}},
		{Legend: "Who may sign in", Fields: []ui.FormField{
			f.Field("allowed_domains", "Allowed email domains", "text", false, "Separated by spaces or commas; empty allows every domain. The provider must have verified the email."),
			f.Field("jit", "Create agents just in time", "checkbox", false, "A verified email without an agent account gets one at its first sign-in."),
			f.Field("mfa", "The provider enforces multi-factor sign-in", "checkbox", false,
				"Then a sign-in through it satisfies the two-factor requirement of the agent's role, and no code is asked. Tick it only if the provider asks every user for a second factor."),
		}},
		{Legend: "Roles and teams", Fields: []ui.FormField{
			f.Field("claim", "Claim", "text", false, "The ID token claim whose values are mapped, such as groups or roles."),
			f.Choice("default_role", "Default role", roleOptions(), "For new agents, and for everyone when roles are mapped but no value matches."),
		}},
	}
	data := map[string]any{"P": p, "Fieldsets": sets, "Form": f, "Errors": ui.Summary(sets, f.Errs)}
	title := "Add a provider"
	if p.ID != 0 {
		title = p.Name
		data["Callback"] = u.callbackURL(r, p.ID)
	}
	return u.render(w, r, status, "ssoprovider", ui.PageData{Title: title, Nav: "sso", Flash: flash, Error: errMsg, Data: data})
}

// CreateProvider answers POST /admin/sso.
func (u *UI) CreateProvider(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	teams, err := u.Teams(ctx, httpx.Actor(ctx))
	if err != nil {
		return err
	}
	in, ok := input(f, teams)
	if !ok {
		return u.providerPage(w, r, http.StatusBadRequest, ssosvc.Provider{}, f, "", "")
	}
	p, err := u.SSO.CreateProvider(ctx, httpx.Actor(ctx), in)
	if err != nil {
		return u.refused(w, r, err, ssosvc.Provider{}, f)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/sso/%d?saved=1", p.ID), http.StatusSeeOther)
	return nil
}

func (u *UI) refused(w http.ResponseWriter, r *http.Request, err error, p ssosvc.Provider, f ui.Form) error {
	st, msg, ok := ui.Refused(err, f)
	if !ok {
		return err
	}
	if apperr.CodeOf(err) == apperr.CodeInvalid && msg == "" && f.Errs["mappings"] == "" {
		for k := range f.Errs {
			if strings.HasPrefix(k, "mappings") {
				f.Errs["mappings"] = f.Errs[k]
			}
		}
	}
	return u.providerPage(w, r, st, p, f, "", msg)
}

func (u *UI) provider(r *http.Request) (ssosvc.Provider, map[int64]string, []agentsvc.Team, error) {
	id, err := httpx.PathID(r, "id", "SSO provider")
	if err != nil {
		return ssosvc.Provider{}, nil, nil, err
	}
	ctx := r.Context()
	p, err := u.SSO.Provider(ctx, httpx.Actor(ctx), id)
	if err != nil {
		return p, nil, nil, err
	}
	teams, names, err := u.TeamNames(r)
	return p, names, teams, err
}

// ProviderPage answers GET /admin/sso/{id}.
func (u *UI) ProviderPage(w http.ResponseWriter, r *http.Request) error {
	p, names, _, err := u.provider(r)
	if err != nil {
		return err
	}
	return u.providerPage(w, r, http.StatusOK, p, providerForm(p, names), ui.FlashOf(r, map[string]string{"saved": "Provider saved."}), "")
}

// UpdateProvider answers POST /admin/sso/{id}.
func (u *UI) UpdateProvider(w http.ResponseWriter, r *http.Request) error {
	p, _, teams, err := u.provider(r)
	if err != nil {
		return err
	}
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	in, ok := input(f, teams)
	if !ok {
		return u.providerPage(w, r, http.StatusBadRequest, p, f, "", "")
	}
	if _, err := u.SSO.UpdateProvider(r.Context(), httpx.Actor(r.Context()), p.ID, in); err != nil {
		return u.refused(w, r, err, p, f)
	}
	http.Redirect(w, r, fmt.Sprintf("/admin/sso/%d?saved=1", p.ID), http.StatusSeeOther)
	return nil
}

// DeleteProvider answers POST /admin/sso/{id}/delete.
func (u *UI) DeleteProvider(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "SSO provider")
	if err != nil {
		return err
	}
	if err := u.SSO.DeleteProvider(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/sso?deleted=1", http.StatusSeeOther)
	return nil
}
