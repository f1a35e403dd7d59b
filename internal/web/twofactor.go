package web

import (
	"net/http"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/web/httpx"
)

// enrolRoutes are what an agent may use while their role requires
// two-factor sign-in they have not set up: the enrolment page and its
// forms, and signing out.
var enrolRoutes = map[string]bool{
	"GET /profile/two-factor":          true,
	"POST /profile/two-factor/start":   true,
	"POST /profile/two-factor/confirm": true,
	"POST /logout":                     true,
	// A passkey satisfies the requirement too (people/passkeys.go).
	"POST /profile/passkeys/options": true,
	"POST /profile/passkeys":         true,
}

// mustEnrol is the enrolment gate: a browser session of an agent who must
// set up two-factor sign-in first is sent to do that (UI routes) or refused
// (API routes called with the session; API tokens are not gated). It
// reports whether it answered.
func (s *Server) mustEnrol(w http.ResponseWriter, r *http.Request, rt Route) bool {
	sess := httpx.SessionFrom(r.Context())
	if sess == nil || !sess.MustEnrol || enrolRoutes[rt.Method+" "+rt.Path] {
		return false
	}
	if rt.Access == UIAuth {
		http.Redirect(w, r, "/profile/two-factor", http.StatusSeeOther)
		return true
	}
	httpx.WriteError(w, r, apperr.Forbidden("your role requires two-factor sign-in: set it up on My profile first"), s.Log)
	return true
}
