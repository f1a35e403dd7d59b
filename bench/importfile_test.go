package bench

import (
	"bufio"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/demo"
	"github.com/ombud/ombud/internal/importer"
)

// importChunk is how many demo tickets are generated at a time: the
// generator keeps a chunk's records in memory, the file gets them all.
const importChunk = 5000

// writeDemoHistory writes n demo tickets (five languages, several
// messages, notes, assignments and status changes each: what a real
// helpdesk export holds) with their teams, agents, organizations and
// customers as NDJSON for `ombud import`. Each chunk has its own seed and
// external-id prefix, so ids are unique across the file; the customers of
// later chunks partly repeat earlier ones, as a real history's do.
func writeDemoHistory(t testing.TB, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	orgs := map[string]bool{}
	for c := 0; c*importChunk < n; c++ {
		size := min(importChunk, n-c*importChunk)
		recs := demo.Generate(demo.Options{Seed: int64(1000 + c), Tickets: size, Customers: max(300, size/4), Orgs: 40,
			Days: 30, Now: now.AddDate(0, 0, -30*(n/importChunk-c))})
		out := recs[:0]
		if c == 0 {
			for _, r := range recs {
				if r.Organization != nil {
					orgs[r.Organization.Name] = true
				}
			}
		}
		for _, r := range recs {
			switch {
			case r.Ticket != nil:
				r.Ticket.CustomFields = nil // the demo's fields are not defined here
				r.Ticket.ExternalID = fmt.Sprintf("c%d-%s", c, r.Ticket.ExternalID)
			case r.Agent != nil:
				r.Agent.Password = "" // an Argon2 hash per agent is not what is measured
			}
			if c > 0 && (r.Team != nil || r.Agent != nil || r.Organization != nil) {
				continue // the first chunk's teams, agents and organizations serve all
			}
			if r.Customer != nil && !orgs[r.Customer.Organization] {
				r.Customer.Organization = "" // another seed's organization
			}
			out = append(out, r)
		}
		if err := importer.WriteNDJSON(w, out); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestWriteDemoHistory writes OMBUD_BENCH_IMPORT_FILE (when set) with
// OMBUD_BENCH_TICKETS demo tickets: a file to import by hand.
func TestWriteDemoHistory(t *testing.T) {
	path := os.Getenv("OMBUD_BENCH_IMPORT_FILE")
	if path == "" {
		path = t.TempDir() + "/history.ndjson"
	}
	writeDemoHistory(t, path, envInt("OMBUD_BENCH_TICKETS", 200))
}
