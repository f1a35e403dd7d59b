package zendesk_test

import (
	"testing"
	"testing/fstest"

	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/importer/zendesk"
)

// FuzzRead: any tickets file converts without panicking, and what it
// converts is a valid import stream: tickets start with a comment and
// their steps keep time order.
func FuzzRead(f *testing.F) {
	base := exportFS(f)
	f.Add(base["tickets.json"].Data)
	f.Add([]byte(`{"tickets":[{"id":1,"requester_id":311,"status":"hold","created_at":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`[{"id":1,"requester_id":311,"status":"closed","assignee_id":301,"group_id":201,"custom_fields":[{"id":408,"value":["nuts"]},{"id":403,"value":"x"}]}]`))
	f.Add([]byte("{\"id\":2}\n\n[1,2]\n\"x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{}
		for k, v := range base {
			fsys[k] = v
		}
		fsys["tickets.json"] = &fstest.MapFile{Data: data}
		conv, err := zendesk.Read(fsys)
		if err != nil {
			return
		}
		checkStream(t, conv)
	})
}

func checkStream(t *testing.T, conv *importer.Converted) {
	t.Helper()
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
			t.Fatalf("%s: timeline does not start with a comment: %+v", conv.Sources[i], tl)
		}
		for j := 1; j < len(tl); j++ {
			if tl[j].At.Before(tl[j-1].At) {
				t.Fatalf("%s: step %d before step %d", conv.Sources[i], j, j-1)
			}
		}
	}
}
