package bench

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/config"
)

// BenchmarkTicketReadsHandler measures the server's whole handler — request
// id, logging, metrics, rate limits, token check, query parsing, the read
// and the encoding — for a list page of 50 and a ticket get, in process
// without sockets, on a copy of the load benchmark's seed named by
// OMBUD_BENCH_READS_DIR (its token file names the API token). What it adds
// to BenchmarkTicketReads is the cost outside the statement; what it
// leaves out is net/http's connection handling.
//
//	OMBUD_BENCH_READS_DIR=/tmp/seed-copy go test ./bench/ -run '^$' -bench TicketReadsHandler -cpu 1 -benchmem
func BenchmarkTicketReadsHandler(b *testing.B) {
	dir := os.Getenv("OMBUD_BENCH_READS_DIR")
	if dir == "" {
		b.Skip("OMBUD_BENCH_READS_DIR names no data directory")
	}
	token, err := os.ReadFile(filepath.Join(dir, "token"))
	if err != nil {
		b.Fatal(err)
	}
	c := config.Defaults()
	c.DataDir = dir
	c.APIRateLimit, c.APIIPRateLimit = 0, 0 // as BenchmarkLoad serves
	sys, err := app.Open(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	defer sys.Close()
	h, err := sys.Handler()
	if err != nil {
		b.Fatal(err)
	}
	auth := "Bearer " + strings.TrimSpace(string(token))
	for _, c := range []struct{ name, path string }{
		{"list50", "/api/v1/tickets?status=open,pending&limit=50"},
		{"get", "/api/v1/tickets/4242"},
	} {
		b.Run(c.name, func(b *testing.B) {
			defer cpuPerOp(b)()
			for range b.N {
				r := httptest.NewRequest(http.MethodGet, c.path, nil)
				r.Header.Set("Authorization", auth)
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", c.path, w.Code, w.Body.String())
				}
			}
		})
	}
}
