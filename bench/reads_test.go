package bench

import (
	"context"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/ticket"
)

type briefs struct{ c *customer.Service }

func (r briefs) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r briefs) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}

// BenchmarkTicketReads measures ticket get and a list page of 50 in
// process, without HTTP, on an existing SQLite data directory named by
// OMBUD_BENCH_READS_DIR (e.g. a copy of the load benchmark's cached seed,
// migrated or not, to compare schemas side by side):
//
//	OMBUD_BENCH_READS_DIR=/tmp/seed-copy go test ./bench/ -run '^$' -bench TicketReads
func BenchmarkTicketReads(b *testing.B) {
	dir := os.Getenv("OMBUD_BENCH_READS_DIR")
	if dir == "" {
		b.Skip("OMBUD_BENCH_READS_DIR names no data directory")
	}
	ctx := context.Background()
	d, err := db.Open(ctx, db.Options{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var maxID int64
	if err := d.QueryRowContext(ctx, `SELECT MAX(id) FROM tickets`).Scan(&maxID); err != nil {
		b.Fatal(err)
	}
	tickets := ticket.NewService(d, time.Now, briefs{customer.NewService(d, time.Now)}, richtext.New())
	admin := authz.Actor{Kind: authz.KindAgent, ID: 1, Role: authz.Admin}
	r := rand.New(rand.NewPCG(1, 2))
	b.Run("get", func(b *testing.B) {
		defer cpuPerOp(b)()
		for range b.N {
			if _, err := tickets.Get(ctx, admin, 1+r.Int64N(maxID)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("list50", func(b *testing.B) {
		f := ticket.Filter{Statuses: []ticket.Status{ticket.StatusOpen, ticket.StatusPending}}
		defer cpuPerOp(b)()
		for range b.N {
			l, err := tickets.List(ctx, admin, f, page.Request{Limit: 50})
			if err != nil {
				b.Fatal(err)
			}
			if len(l.Data) != 50 {
				b.Fatalf("page of %d", len(l.Data))
			}
		}
	})
}

// cpuPerOp reports the process's CPU time (user and system) per operation:
// on a machine shared with other work, wall time per operation measures
// the neighbours as much as the code.
func cpuPerOp(b *testing.B) func() {
	cpu := func() time.Duration {
		var u syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &u)
		return time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64((cpu()-start).Microseconds())/float64(b.N), "cpu-µs/op")
	}
}
