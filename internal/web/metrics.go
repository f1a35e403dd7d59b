package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Prometheus metrics name routes, error rates, the database pool and the
// runtime: operational detail an outsider has no business reading. So
// /metrics is served
//   - on the HTTP address only with a bearer token (--metrics-token);
//     without one it is not served there at all;
//   - or on an address of its own (--metrics-addr, typically loopback or
//     an internal network), and then only there: open, unless a token is
//     configured too.

// metricsListenerKey marks requests that came in on the metrics listener.
type metricsListenerKey struct{}

// MetricsListener wraps the HTTP handler for the --metrics-addr listener:
// it answers GET /metrics and nothing else there.
func MetricsListener(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), metricsListenerKey{}, true)))
	})
}

// metricsHandler serves prom (the registry) to whoever may read it (see
// above); to anyone else the path does not exist, or asks for the token.
func (s *Server) metricsHandler(prom http.Handler) http.Handler {
	// Comparing digests keeps the comparison's time independent of the
	// token's length as well as its content.
	want := sha256.Sum256([]byte(s.MetricsToken))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		onOwn, _ := r.Context().Value(metricsListenerKey{}).(bool)
		if onOwn != s.MetricsElsewhere || (!onOwn && s.MetricsToken == "") {
			s.UI.Error(w, r, apperr.NotFound("page", r.URL.Path)) // as for any unknown path
			return
		}
		if s.MetricsToken != "" {
			scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			got := sha256.Sum256([]byte(tok))
			if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				httpx.WriteError(w, r, apperr.Unauthenticated("a valid metrics token is required"), s.Log)
				return
			}
		}
		prom.ServeHTTP(w, r)
	})
}
