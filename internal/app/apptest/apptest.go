// Package apptest starts a fully wired Ombud (real database, real services,
// real HTTP server on loopback) for tests, with one agent and API token per
// role.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

// Env is a running Ombud.
type Env struct {
	Sys    *app.System
	URL    string
	Tokens map[authz.Role]string
	Agents map[authz.Role]agent.Agent
	Client *http.Client
	// DNS answers the inbound mail sender checks (DKIM keys, SPF, DMARC):
	// no test asks a real name server.
	DNS *mailtest.DNS
}

// Password is every test agent's password.
const Password = "correct horse battery"

// New starts Ombud on the given engine.
func New(t testing.TB, engine db.Dialect) *Env {
	t.Helper()
	return NewWith(t, engine, nil)
}

// NewWith is New with a chance to adjust the configuration first.
func NewWith(t testing.TB, engine db.Dialect, configure func(*config.Config)) *Env {
	t.Helper()
	return NewWithClock(t, engine, time.Now, configure)
}

// NewWithClock is NewWith on a clock the test controls: sessions, reset
// links, limits and jobs all read it.
func NewWithClock(t testing.TB, engine db.Dialect, now func() time.Time, configure func(*config.Config)) *Env {
	t.Helper()
	ctx := context.Background()
	c := config.Defaults()
	// A copy of a migrated database: each test skips the migrations.
	c.DataDir = dbtest.MigratedSQLiteDir(t)
	c.MaxBodyBytes = 1 << 20
	// Every test's traffic comes from 127.0.0.1 and a few tokens: tests of
	// the limits set them (TestRateLimits), the rest run without.
	c.APIRateLimit, c.APIIPRateLimit = 0, 0
	if engine == db.Postgres {
		c.DatabaseURL = dbtest.NewMigratedPostgresDatabase(t)
	}
	if configure != nil {
		configure(&c)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	sys, err := app.Open(ctx, c, log, now)
	if err != nil {
		t.Fatalf("apptest: open: %v", err)
	}
	t.Cleanup(func() { sys.Close() })
	checkReadsClosed(t, sys.DB)
	dns := mailtest.NewDNS()
	sys.Email.UseResolver(dns)
	h, err := sys.Handler()
	if err != nil {
		t.Fatalf("apptest: handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(sys.Live.Shutdown) // runs first: open event streams end

	e := &Env{Sys: sys, URL: srv.URL, Tokens: map[authz.Role]string{}, Agents: map[authz.Role]agent.Agent{}, Client: srv.Client(), DNS: dns}
	for _, role := range authz.Roles {
		a, err := sys.Agents.CreateAgent(ctx, authz.System, agent.AgentInput{
			Email: string(role) + "@ombud.test", Name: "Test " + string(role), Role: role, Password: Password,
		})
		if err != nil {
			t.Fatalf("apptest: create %s: %v", role, err)
		}
		tok, _, err := sys.Auth.CreateToken(ctx, authz.System, a.ID, "test")
		if err != nil {
			t.Fatalf("apptest: token %s: %v", role, err)
		}
		e.Agents[role] = a
		e.Tokens[role] = tok
	}
	return e
}

// Do sends a request as role ("" for anonymous) with a JSON body (a string
// is sent as is) and returns the status and the decoded JSON reply.
func (e *Env) Do(t testing.TB, role authz.Role, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+e.Tokens[role])
	}
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	// NDJSON streams (exports) are left raw: several objects, one per line.
	if len(raw) > 0 && raw[0] == '{' && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/x-ndjson") {
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("%s %s: reply is not JSON: %q", method, path, raw)
		}
	}
	out["_raw"] = string(raw)
	return resp.StatusCode, out
}

// checkReadsClosed fails t if, once the test's server has stopped, a
// SQLite read connection stays in use: a result set left open. A request's
// reads no longer end with its context (db.readCtx), so such a result set
// would hold its connection for good and, a few of them later, every read
// would wait. Registered before the server's cleanups, it runs after them;
// background work that reads is given a few seconds to finish.
func checkReadsClosed(t testing.TB, d *db.DB) { checkReadsClosedWithin(t, d, 5*time.Second) }

func checkReadsClosedWithin(t testing.TB, d *db.DB, wait time.Duration) {
	if d.Dialect() != db.SQLite {
		return
	}
	t.Cleanup(func() {
		deadline := time.Now().Add(wait)
		for {
			r, _ := d.Stats()
			if r.InUse == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("apptest: %d SQLite read connections still in use after the server stopped: a result set left open (rows.Close)?", r.InUse)
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
