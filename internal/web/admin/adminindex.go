package admin

import (
	"net/http"

	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// AdminIndex is /admin: the Admin menu's groups as a page, for browsers
// without JavaScript and for phones, listing what the agent may open.
func (u *UI) AdminIndex(w http.ResponseWriter, r *http.Request) error {
	return u.render(w, r, http.StatusOK, "adminindex", pageData{Title: "Administration", Nav: "admin",
		Data: map[string]any{"Groups": ui.AdminFor(httpx.Actor(r.Context()))}})
}
