package bench

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/kb"
)

func BenchmarkKBFillTmp(b *testing.B) {
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{URL: os.Getenv("KBFILL_URL")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := d.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	svc, err := kb.NewService(d, time.Now, nil, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	texts := fillDemoKB(b, d, 50000)
	b.Logf("filled %d in %s", len(texts), time.Since(start))
	if err := svc.IndexTitles(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("indexed in %s", time.Since(start))
	d.Analyze(ctx)
}
