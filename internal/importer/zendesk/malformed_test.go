package zendesk_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/importer/zendesk"
)

// exportFS is the test export, with lines added to tickets.json.
func exportFS(t testing.TB, extra ...string) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	entries, err := os.ReadDir("testdata/export")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile("testdata/export/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		fsys[e.Name()] = &fstest.MapFile{Data: b}
	}
	if len(extra) > 0 {
		fsys["tickets.json"].Data = append(fsys["tickets.json"].Data, []byte(strings.Join(extra, "\n")+"\n")...)
	}
	return fsys
}

func ticketLine(id, status, requester, product, comments string) string {
	return `{"id":` + id + `,"subject":"Extra ` + id + `","status":"` + status + `","priority":"low","requester_id":` + requester +
		`,"via":{"channel":"email"},"created_at":"2026-03-09T10:00:00Z","updated_at":"2026-03-09T11:00:00Z","tags":[],"custom_fields":[{"id":402,"value":` + product + `}],"comments":[` + comments + `]}`
}

const firstComment = `{"id":1,"author_id":311,"body":"Hello","public":true,"created_at":"2026-03-09T10:00:00Z"}`

// malformed: bad records are reported naming their record, the rest of
// the export imports, and what was imported stays.
func malformed(t *testing.T, engine db.Dialect) {
	e := apptest.New(t, engine)
	ctx := context.Background()
	conv, err := zendesk.Read(exportFS(t,
		`{"id": 1100, "subject": `,
		ticketLine("1101", "weird", "311", "null", firstComment),
		ticketLine("1102", "open", "311", `"nope"`, firstComment),
		ticketLine("1103", "open", "999", "null", firstComment),
		ticketLine("1104", "open", "311", "null", firstComment+`,{"id":2,"author_id":301,"body":"","public":true,"created_at":"2026-03-09T10:30:00Z"}`),
		ticketLine("1105", "solved", "311", `"gift_card"`, firstComment),
	))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Sys.Importer.ImportConverted(ctx, authz.System, conv, importer.Options{Format: "zendesk"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, le := range res.Errors {
		got = append(got, le.Source+": "+le.Error)
	}
	wantErrs := []string{
		`tickets.json: line 6: is not valid JSON`,
		`tickets.json: ticket 1101: status "weird" is not new, open, pending, hold, solved or closed`,
		`tickets.json: ticket 1102: custom field 402 (Product) is not one of the field's options: "nope"`,
		`tickets.json: ticket 1103: requester_id 999 is not a user of the export`,
		`tickets.json: ticket 1104: ` + res.Errors[len(res.Errors)-1].Error,
	}
	if diff := cmp.Diff(wantErrs, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if last := res.Errors[len(res.Errors)-1]; len(last.Field) == 0 {
		t.Errorf("the import's error names no field: %+v", last)
	}
	if res.Failed != 5 || len(res.TicketIDs) != 6 {
		t.Errorf("failed %d, imported %d tickets; want 5 and 6", res.Failed, len(res.TicketIDs))
	}
	if n := count(t, e, `SELECT COUNT(*) FROM tickets WHERE external_id LIKE 'zendesk:%'`); n != 6 {
		t.Errorf("%d tickets, want 6", n)
	}
}
