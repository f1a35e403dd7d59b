// Package gdpr serves the privacy pages: a customer's data export and
// erasure, and the data retention rules under Administration.
package gdpr

import (
	"embed"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/web/api"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the privacy pages.
type UI struct {
	*ui.UI
	Privacy *privacy.Service
	pages   map[string]*template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *privacy.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "customerprivacy", "erased", "retention")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, Privacy: svc, pages: pages}, nil
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p ui.PageData) error {
	return u.Render(w, r, status, u.pages[name], p)
}

// CustomerPage answers GET /customers/{id}/privacy: export the customer's
// data, or erase them after typing their email address.
func (u *UI) CustomerPage(w http.ResponseWriter, r *http.Request) error {
	return u.customerPage(w, r, http.StatusOK, "", "anonymise")
}

func (u *UI) customerPage(w http.ResponseWriter, r *http.Request, status int, problem, mode string) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	// The page is for those who may erase: the service says who.
	if _, err := u.Privacy.Rules(r.Context(), httpx.Actor(r.Context())); err != nil {
		return err
	}
	c, err := u.Customers.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return u.render(w, r, status, "customerprivacy", ui.PageData{Title: "Customer data", Nav: "customers", Error: problem, Data: map[string]any{
		"C": c, "Confirm": confirmWord(c.Identities), "Mode": mode,
	}})
}

// confirmWord is what the admin types to confirm an erasure: the
// customer's first email address, or "erase" when they have none.
func confirmWord(ids []customer.Identity) string {
	for _, i := range ids {
		if i.Type == "email" {
			return i.Value
		}
	}
	return "erase"
}

// Export answers GET /customers/{id}/export: the archive as a download.
func (u *UI) Export(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	arc, err := u.Privacy.Export(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	api.WriteArchive(w, r, arc, u.Log)
	return nil
}

// Erase answers POST /customers/{id}/erase (form: mode, confirm).
func (u *UI) Erase(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	id, err := httpx.PathID(r, "id", "customer")
	if err != nil {
		return err
	}
	mode := r.PostForm.Get("mode")
	if !privacy.Mode(mode).Valid() {
		return u.customerPage(w, r, http.StatusUnprocessableEntity, "Choose what happens to the tickets.", "anonymise")
	}
	c, err := u.Customers.Get(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	if !strings.EqualFold(strings.TrimSpace(r.PostForm.Get("confirm")), confirmWord(c.Identities)) {
		return u.customerPage(w, r, http.StatusUnprocessableEntity, "Type the customer's email address exactly to confirm.", mode)
	}
	res, err := u.Privacy.Erase(r.Context(), httpx.Actor(r.Context()), id, privacy.Mode(mode))
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "erased", ui.PageData{Title: "Customer erased", Nav: "customers", Data: map[string]any{"R": res}})
}

// RetentionPage answers GET /admin/retention: the rules with the number
// of tickets each would change now, and the form to add one.
func (u *UI) RetentionPage(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	switch r.URL.Query().Get("done") {
	case "added":
		flash = "Rule added. It runs every hour."
	case "deleted":
		flash = "Rule deleted."
	}
	return u.retention(w, r, http.StatusOK, flash, "", nil)
}

func (u *UI) retention(w http.ResponseWriter, r *http.Request, status int, flash, problem string, errs map[string]string) error {
	rules, err := u.Privacy.Rules(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	return u.render(w, r, status, "retention", ui.PageData{Title: "Data retention", Nav: "retention", Flash: flash, Error: problem, Data: map[string]any{
		"Rules": rules, "Channels": privacy.Channels, "Errs": errs, "Values": r.PostForm,
	}})
}

// CreateRetentionRule answers POST /admin/retention (form: action, months, channel).
func (u *UI) CreateRetentionRule(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	in := privacy.RuleInput{Action: privacy.Mode(r.PostForm.Get("action")), Channel: r.PostForm.Get("channel")}
	// Not a number is 0, which the service refuses like any bad count.
	in.Months, _ = strconv.Atoi(strings.TrimSpace(r.PostForm.Get("months")))
	if in.Channel != "" && !slices.Contains(privacy.Channels, in.Channel) {
		in.Channel = "?"
	}
	if _, err := u.Privacy.CreateRule(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		if _, ok := ui.Refusal(err); ok {
			return u.retention(w, r, http.StatusUnprocessableEntity, "", "Check the rule.", u.ErrIn(r, err).Fields)
		}
		return err
	}
	http.Redirect(w, r, "/admin/retention?done=added", http.StatusSeeOther)
	return nil
}

// DeleteRetentionRule answers POST /admin/retention/{id}/delete.
func (u *UI) DeleteRetentionRule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "retention rule")
	if err != nil {
		return err
	}
	if err := u.Privacy.DeleteRule(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/retention?done=deleted", http.StatusSeeOther)
	return nil
}
