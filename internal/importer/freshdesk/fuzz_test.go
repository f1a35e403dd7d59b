package freshdesk_test

import (
	"os"
	"testing"
	"testing/fstest"

	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/importer/freshdesk"
)

// FuzzRead: any tickets file, JSON or CSV, converts without panicking,
// and what it converts is a valid import stream.
func FuzzRead(f *testing.F) {
	base := exportFS(f, "")
	f.Add(base["tickets.json"].Data, false)
	if b, err := os.ReadFile("testdata/export/tickets.json"); err == nil {
		f.Add(b, false)
	}
	if b, err := os.ReadFile("testdata/csv/tickets.csv"); err == nil {
		f.Add(b, true)
	}
	f.Add([]byte("Ticket ID,Status,Priority,Created time,Email,Agent,Group,Tags\n1,Closed,High,2026-01-01 10:00:00,a@b.se,Nils Hansen,X,\"a, b\"\n"), true)
	f.Add([]byte(`{"tickets":[{"id":1,"status":5,"priority":4,"requester_id":8001,"responder_id":9001,"group_id":6001}]}`), false)
	f.Fuzz(func(t *testing.T, data []byte, csv bool) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			if k != "tickets.json" {
				fsys[k] = v
			}
		}
		name := "tickets.json"
		if csv {
			name = "tickets.csv"
		}
		fsys[name] = &fstest.MapFile{Data: data}
		conv, err := freshdesk.Read(fsys)
		if err != nil {
			return
		}
		if len(conv.Records) != len(conv.Sources) {
			t.Fatalf("%d records, %d sources", len(conv.Records), len(conv.Sources))
		}
		if _, err := conv.NDJSON(); err != nil {
			t.Fatal(err)
		}
		for i, r := range conv.Records {
			if r.Kind != importer.KindTicket {
				continue
			}
			tl := r.Ticket.Timeline
			if len(tl) == 0 || tl[0].Do != "comment" {
				t.Fatalf("%s: timeline does not start with a comment", conv.Sources[i])
			}
			for j := 1; j < len(tl); j++ {
				if tl[j].At.Before(tl[j-1].At) {
					t.Fatalf("%s: step %d before step %d", conv.Sources[i], j, j-1)
				}
			}
		}
	})
}
