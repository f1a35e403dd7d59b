package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

// NewDemo starts Ombud with the demo data loaded, as `ombud serve --demo`
// does on an empty database. Tokens holds only the admin's, the token the
// demo prints; the demo's own agents are the only ones (demo.Agents).
func NewDemo(t testing.TB, engine db.Dialect) *Env {
	t.Helper()
	ctx := context.Background()
	c := config.Defaults()
	// A copy of a migrated database: each test skips the migrations.
	c.DataDir = dbtest.MigratedSQLiteDir(t)
	c.APIRateLimit, c.APIIPRateLimit = 0, 0
	if engine == db.Postgres {
		c.DatabaseURL = dbtest.NewMigratedPostgresDatabase(t)
	}
	sys, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatalf("apptest: open: %v", err)
	}
	t.Cleanup(func() { sys.Close() })
	checkReadsClosed(t, sys.DB)
	dns := mailtest.NewDNS()
	sys.Email.UseResolver(dns)
	login, err := sys.LoadDemo(ctx)
	if err != nil {
		t.Fatalf("apptest: demo: %v", err)
	}
	h, err := sys.Handler()
	if err != nil {
		t.Fatalf("apptest: handler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(sys.Live.Shutdown)
	return &Env{Sys: sys, URL: srv.URL, Client: srv.Client(), DNS: dns,
		Tokens: map[authz.Role]string{authz.Admin: login.Token}, Agents: nil}
}
