// Package web assembles Ombud's HTTP surface: one route table (routes.go)
// for the JSON API, the agent UI and the operational endpoints, and the
// middleware every request passes: request id, logging, panic recovery,
// metrics, body limits, authentication and CSRF.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web/admin"
	"github.com/ombud/ombud/internal/web/api"
	"github.com/ombud/ombud/internal/web/api/zendesk"
	webchat "github.com/ombud/ombud/internal/web/chat"
	"github.com/ombud/ombud/internal/web/feedback"
	"github.com/ombud/ombud/internal/web/gdpr"
	"github.com/ombud/ombud/internal/web/help"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/knowledge"
	webmsg "github.com/ombud/ombud/internal/web/messaging"
	weborders "github.com/ombud/ombud/internal/web/orders"
	"github.com/ombud/ombud/internal/web/people"
	webphone "github.com/ombud/ombud/internal/web/phone"
	"github.com/ombud/ombud/internal/web/portal"
	webqa "github.com/ombud/ombud/internal/web/qa"
	"github.com/ombud/ombud/internal/web/reports"
	websso "github.com/ombud/ombud/internal/web/sso"
	"github.com/ombud/ombud/internal/web/survey"
	"github.com/ombud/ombud/internal/web/tickets"
	"github.com/ombud/ombud/internal/web/ui"
	"github.com/ombud/ombud/internal/web/webhooks"
	"github.com/ombud/ombud/internal/web/widget"
	"github.com/ombud/ombud/internal/web/workforce"
)

// Access says who may call a route.
type Access int

// Access levels.
const (
	Public  Access = iota // anyone (health, sign-in page, static files)
	APIAuth               // bearer token or browser session (+CSRF on writes); JSON errors
	UIAuth                // browser session (+CSRF on writes); redirects to sign-in
)

// Route is one entry of the route table.
type Route struct {
	Method  string
	Path    string // ServeMux pattern path, e.g. /api/v1/tickets/{id}
	Access  Access
	Perm    authz.Perm // the permission the service checks (for the authorization matrix); "" = any signed-in agent
	Handler httpx.HandlerFunc
	Summary string
	Request any // request body type (for OpenAPI), nil when none
	Reply   any // response body type (for OpenAPI)
	Status  int // success status (200 unless set)
	Query   []string
	// Media lists the media types of the success answer when it is not
	// (only) JSON, the default first: "text/csv", "application/x-ndjson"
	// (Reply then describes one line), "application/zip"; "*/*" for a
	// file served with its own type. Nil means application/json.
	Media []string
	// RequestMedia is the request body's media type when it is not JSON
	// ("application/x-ndjson": Request describes one line; "*/*": raw).
	RequestMedia string
	// Stream marks a handler that reads its body as a stream under a
	// limit of its own (the import: --import-max-bytes) rather than
	// --max-body-bytes; an Idempotency-Key does not make it buffer the
	// body (the import is idempotent by its records' keys).
	Stream bool
}

// Server holds the dependencies of the HTTP layer.
type Server struct {
	API *api.API
	// UI is the agent UI's shared part (error pages, assets, the header's
	// availability switch); the surfaces serve the pages.
	UI      *ui.UI
	Tickets *tickets.UI
	People  *people.UI
	Admin   *admin.UI
	Reports *reports.UI
	Privacy *gdpr.UI // customer export and erasure, data retention
	SSO     *websso.UI
	// Survey serves the customers' satisfaction survey pages.
	Survey *survey.UI
	// Webhooks serves the webhook subscription pages.
	Webhooks *webhooks.UI

	Workforce *workforce.UI // the managers' staffing forecast
	QA        *webqa.UI     // quality assurance pages

	// Zendesk serves the Zendesk-compatible subset under /api/v2
	// (docs/zendesk.md): its own error shapes and Basic token credentials.
	Zendesk *zendesk.API
	// Feedback serves NPS campaigns and results, feedback insights, the
	// customers' NPS page and the shared insights page.
	Feedback *feedback.UI

	Knowledge *knowledge.UI // the agents' knowledge base pages
	Help      *help.UI      // the public help center

	Chat   *webchat.UI  // the agents' chat console and the widget settings
	Widget *widget.UI   // the public chat widget and its endpoints
	Portal *portal.UI   // the customer portal
	Phone  *webphone.UI // the phone webhook, incoming-call pops and integrations
	// Messaging is the messaging channel's webhooks, API and integrations.
	Messaging *webmsg.UI
	Orders    *weborders.UI // orders panel, returns, the returns report and its API

	Auth         *auth.Service
	DB           *db.DB
	Log          *slog.Logger
	MaxBodyBytes int64
	SecureCookie bool
	Registry     *prometheus.Registry

	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (--trusted-proxies); see httpx.ClientAddr.
	TrustedProxies []netip.Prefix
	// HSTS sends Strict-Transport-Security: the public base URL is https.
	HSTS bool
	// MetricsToken is the bearer token /metrics requires ("": none);
	// MetricsElsewhere serves /metrics only through MetricsListener
	// (--metrics-addr). See metrics.go.
	MetricsToken     string
	MetricsElsewhere bool
	// AccessLog chooses the requests logged (nil: sampled, see accesslog.go).
	AccessLog *AccessLog
	// APIRateLimit and APIIPRateLimit are API requests per minute per
	// credential and per client address (0: none); see ratelimit.go.
	APIRateLimit, APIIPRateLimit int

	credLimit, ipLimit *rateLimiter
	idemSwept          atomic.Int64 // idempotency.go

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// SessionCookie is the browser session cookie's name.
const SessionCookie = "ombud_session"

// Handler builds the http.Handler for the route table.
func (s *Server) Handler() http.Handler {
	s.initMetrics()
	s.credLimit, s.ipLimit = newRateLimiter(s.APIRateLimit), newRateLimiter(s.APIIPRateLimit)
	if s.AccessLog == nil {
		s.AccessLog = &AccessLog{}
	}
	mux := http.NewServeMux()
	for _, r := range s.Routes() {
		mux.Handle(r.Method+" "+r.Path, s.wrap(r))
	}
	mux.Handle("GET /metrics", s.metricsHandler(promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{})))
	methods := newMethodIndex(s.Routes())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		err := apperr.NotFound("page", r.URL.Path)
		if allow := methods.allowed(r); len(allow) > 0 {
			// The path exists, the method does not (RFC 9110 §15.5.6).
			w.Header().Set("Allow", allowHeader(allow))
			err = apperr.MethodNotAllowed(r.Method, allowHeader(allow))
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.writeAPIError(w, r, err)
			return
		}
		// A signed-in agent reads "not found" in their own language: the
		// session is looked up although the path matched no route. Only
		// for the language: nothing is done on the request's behalf, so
		// the CSRF check writes need is not wanted here.
		if c, cerr := r.Cookie(SessionCookie); cerr == nil && c.Value != "" {
			if actor, sess, aerr := s.Auth.Session(r.Context(), c.Value); aerr == nil {
				ctx := httpx.WithActor(r.Context(), actor)
				r = r.WithContext(httpx.WithSession(ctx, &httpx.Session{CSRF: sess.CSRF, Locale: sess.Locale, TimeZone: sess.TimeZone, Name: sess.Name, Email: sess.Email}))
			}
		}
		s.UI.Error(w, r, err)
	})
	return s.base(mux)
}

func (s *Server) initMetrics() {
	if s.Registry == nil {
		s.Registry = prometheus.NewRegistry()
	}
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "ombud_http_requests_total", Help: "HTTP requests by route pattern, method and status code.",
	}, []string{"route", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "ombud_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
	}, []string{"route"})
	s.Registry.MustRegister(s.requests, s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), dbCollector{s.DB}, chatCollector{s})
}

// statusWriter records the status code for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// base adds what every request gets: request id, security headers, panic
// recovery, logging.
func (s *Server) base(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		log := s.Log.With("request_id", id)
		ctx := httpx.WithLogger(httpx.WithRequestID(r.Context(), id), log)
		addr := httpx.ClientAddr(r, s.TrustedProxies)
		ctx = httpx.WithClientAddr(ctx, addr)
		ctx = audit.WithRequest(ctx, addr, r.UserAgent()) // every audit row written for this request names its client
		r = r.WithContext(ctx)
		h := w.Header()
		h.Set("X-Request-Id", id)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		if s.HSTS {
			// A year, as browsers' preload lists ask; only when the base URL
			// is https, so a plain-HTTP setup is never locked out.
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					httpx.WriteError(sw, r, apperr.Internal(errors.New("panic")), s.Log)
				}
			}
			s.AccessLog.log(ctx, log, r, sw, sw.status, time.Since(start)) // accesslog.go
		}()
		next.ServeHTTP(sw, r)
	})
}

// wrap turns a route into a handler: metrics, body limit, authentication,
// CSRF, and error rendering by access kind.
func (s *Server) wrap(rt Route) http.Handler {
	metrics := newRouteMetrics(rt.Method+" "+rt.Path, s.requests, s.latency) // routemetrics.go
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw, _ := w.(*statusWriter)
		defer func() {
			code := 200
			if sw != nil && sw.status != 0 {
				code = sw.status
			}
			metrics.done(start, code)
		}()
		if r.Body != nil && s.MaxBodyBytes > 0 && !rt.Stream {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
		}
		failTo := func(w http.ResponseWriter, err error) {
			if sw != nil && sw.status != 0 {
				// The answer has started (a stream cut short): its status
				// cannot change, and an error body would only be appended
				// to the data. The log keeps it.
				httpx.Logger(r.Context(), s.Log).Error("response interrupted", "method", r.Method, "path", r.URL.Path, "status", sw.status, "err", err)
				return
			}
			if rt.Access == UIAuth || (rt.Access == Public && !strings.HasPrefix(rt.Path, "/api/")) {
				s.UI.Error(w, r, err)
				return
			}
			s.writeAPIError(w, r, err)
		}
		fail := func(err error) { failTo(w, err) }
		api := strings.HasPrefix(rt.Path, "/api/")
		var rate rateState
		rated := false
		if api && s.ipLimit != nil {
			// Before authentication: a flood of bad tokens is refused
			// without a token lookup each.
			rate, rated = s.ipLimit.take(httpx.ClientAddr(r, s.TrustedProxies), time.Now()), true
			if rate.retryAfter > 0 {
				setRateHeaders(w.Header(), rate)
				fail(rateRefusal(rate, "address"))
				return
			}
		}
		if rt.Access != Public {
			ctx, err := s.authenticate(r, rt.Access)
			if err != nil {
				if rt.Access == UIAuth && apperr.Is(err, apperr.CodeUnauthenticated) {
					http.Redirect(w, r, "/login?next="+urlPath(r), http.StatusSeeOther)
					return
				}
				fail(err)
				return
			}
			r = r.WithContext(ctx)
			if api && s.credLimit != nil {
				st := s.credLimit.take(credentialKey(r, httpx.Actor(ctx).ID), time.Now())
				if rate, rated = tighter(rate, st, rated, true); st.retryAfter > 0 {
					setRateHeaders(w.Header(), st)
					fail(rateRefusal(st, "token"))
					return
				}
			}
			if s.mustEnrol(w, r, rt) { // twofactor.go
				return
			}
			// The services check permissions on every call; checking the
			// route's permission here as well answers 403 before any body
			// is read, so a role never learns more than "not allowed".
			if rt.Perm != "" {
				if err := authz.Check(httpx.Actor(ctx), rt.Perm); err != nil {
					fail(err)
					return
				}
			}
		}
		if rated {
			setRateHeaders(w.Header(), rate)
		}
		if err := checkInput(rt, r); err != nil {
			fail(err)
			return
		}
		if api && rt.Method == http.MethodPost && !rt.Stream && httpx.Actor(r.Context()).IsAgent() {
			key, err := idempotencyKey(r)
			if err != nil {
				fail(err)
				return
			}
			if key != "" {
				err := s.idempotent(w, r, httpx.Actor(r.Context()).ID, key, func(w http.ResponseWriter, r *http.Request) {
					if err := rt.Handler(w, r); err != nil {
						failTo(w, err)
					}
				})
				if err != nil {
					fail(err)
				}
				return
			}
		}
		if err := rt.Handler(w, r); err != nil {
			fail(err)
		}
	})
}

// writeAPIError writes an API error: Zendesk's shape under /api/v2,
// Ombud's everywhere else.
func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	if strings.HasPrefix(r.URL.Path, zendesk.Prefix) {
		zendesk.WriteError(w, r, err, s.Log)
		return
	}
	httpx.WriteError(w, r, err, s.Log)
}

func urlPath(r *http.Request) string {
	p := r.URL.RequestURI()
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return "/"
	}
	return strings.NewReplacer("&", "%26", "?", "%3F", "#", "%23").Replace(p)
}

// authenticate finds the actor: a bearer token for API clients, otherwise
// the session cookie, which on state-changing methods also needs the
// session's CSRF token (header X-CSRF-Token or form field csrf_token).
func (s *Server) authenticate(r *http.Request, access Access) (context.Context, error) {
	ctx := r.Context()
	if h := r.Header.Get("Authorization"); h != "" && access == APIAuth && strings.HasPrefix(h, "Basic ") && strings.HasPrefix(r.URL.Path, zendesk.Prefix) && s.Zendesk != nil {
		// Zendesk clients send the token as Basic {email}/token:{token}.
		actor, err := s.Zendesk.BasicActor(ctx, h)
		if err != nil {
			return ctx, err
		}
		return httpx.WithActor(ctx, actor), nil
	}
	if h := r.Header.Get("Authorization"); h != "" && access == APIAuth {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || tok == "" {
			return ctx, apperr.Unauthenticated("use Authorization: Bearer <token>")
		}
		actor, err := s.Auth.TokenActor(ctx, strings.TrimSpace(tok))
		if err != nil {
			return ctx, err
		}
		return httpx.WithActor(ctx, actor), nil
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return ctx, apperr.Unauthenticated("sign in or send an API token")
	}
	actor, sess, err := s.Auth.Session(ctx, c.Value)
	if err != nil {
		return ctx, err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		presented := r.Header.Get("X-CSRF-Token")
		if presented == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			// A form that cannot be read (too large, more fields than the
			// standard library parses) is the client's error, not a
			// missing token.
			if err := r.ParseForm(); err != nil {
				return ctx, unreadableForm(err)
			}
			presented = r.PostForm.Get("csrf_token")
		}
		if presented == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			// Read from the first parts only: the handler streams the
			// uploads itself (and keeps the text when one is too large).
			if presented = httpx.PeekMultipartField(r, "csrf_token"); presented == "" {
				presented = r.FormValue("csrf_token")
			}
		}
		if !auth.CheckCSRF(sess.CSRF, presented) {
			return ctx, apperr.Forbidden("the form expired or came from elsewhere (CSRF check failed); reload the page")
		}
	}
	ctx = httpx.WithActor(ctx, actor)
	ctx = httpx.WithSession(ctx, &httpx.Session{CSRF: sess.CSRF, Locale: sess.Locale, TimeZone: sess.TimeZone, Name: sess.Name, Email: sess.Email, MustEnrol: sess.MustEnrol})
	return ctx, nil
}

// unreadableForm is the answer to a form body ParseForm refuses.
func unreadableForm(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", mbe.Limit)}
	}
	return apperr.InvalidField("body", "is not a form that can be read (malformed, or more than 10000 fields)")
}

// dbCollector exports connection pool statistics.
type dbCollector struct{ db *db.DB }

var (
	descOpen  = prometheus.NewDesc("ombud_db_open_connections", "Open database connections by pool.", []string{"pool"}, nil)
	descInUse = prometheus.NewDesc("ombud_db_in_use_connections", "Database connections in use by pool.", []string{"pool"}, nil)
	descWait  = prometheus.NewDesc("ombud_db_wait_count_total", "Waits for a database connection by pool.", []string{"pool"}, nil)
)

func (c dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descOpen
	ch <- descInUse
	ch <- descWait
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	if c.db == nil {
		return
	}
	r, w := c.db.Stats()
	ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(r.OpenConnections), "read")
	ch <- prometheus.MustNewConstMetric(descOpen, prometheus.GaugeValue, float64(w.OpenConnections), "write")
	ch <- prometheus.MustNewConstMetric(descInUse, prometheus.GaugeValue, float64(r.InUse), "read")
	ch <- prometheus.MustNewConstMetric(descInUse, prometheus.GaugeValue, float64(w.InUse), "write")
	ch <- prometheus.MustNewConstMetric(descWait, prometheus.CounterValue, float64(r.WaitCount), "read")
	ch <- prometheus.MustNewConstMetric(descWait, prometheus.CounterValue, float64(w.WaitCount), "write")
}
