// Package sso serves single sign-on: the admin pages that configure
// OpenID Connect providers and who must use them (admin.go), and the
// sign-in through a provider with its callback (signin.go).
package sso

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"net/http"

	ssosvc "github.com/ombud/ombud/internal/sso"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the single sign-on pages; the shared part is the embedded ui.UI.
type UI struct {
	*ui.UI
	SSO *ssosvc.Service
	// BaseURL is the public URL of this server (--base-url), from which
	// the callback URL providers redirect to is made; "" takes the
	// request's host.
	BaseURL string
	pages   map[string]*template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *ssosvc.Service, baseURL string) (*UI, error) {
	pages, err := shared.Parse(templateFS, "ssoadmin", "ssoprovider", "ssofailed", "ssocontinue")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, SSO: svc, BaseURL: baseURL, pages: pages}, nil
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p ui.PageData) error {
	return u.Render(w, r, status, u.pages[name], p)
}

// Buttons lists the sign-in page's buttons (ui.UI.SSOButtons).
func (u *UI) Buttons(ctx context.Context) ([]ui.SSOButton, error) {
	bs, err := u.SSO.Buttons(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ui.SSOButton, 0, len(bs))
	for _, b := range bs {
		out = append(out, ui.SSOButton{Name: b.Name, URL: fmt.Sprintf("/login/sso/%d", b.ID)})
	}
	return out, nil
}

// base is this server's public URL without a trailing slash.
func (u *UI) base(r *http.Request) string {
	if u.BaseURL != "" {
		return trimSlash(u.BaseURL)
	}
	scheme := "http"
	if r.TLS != nil || u.SecureCookie {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func trimSlash(s string) string {
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

// callbackURL is where provider id sends the browser back to; the admin
// registers it at the provider.
func (u *UI) callbackURL(r *http.Request, id int64) string {
	return fmt.Sprintf("%s/login/sso/%d/callback", u.base(r), id)
}
