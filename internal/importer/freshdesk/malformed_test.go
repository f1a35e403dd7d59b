package freshdesk_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/importer/freshdesk"
)

// exportFS is the JSON test export with tickets.json replaced.
func exportFS(t testing.TB, tickets string) fstest.MapFS {
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
	fsys["tickets.json"] = &fstest.MapFile{Data: []byte(tickets)}
	return fsys
}

func ticket(id, status, prio, requester, subject, convs string) string {
	return `{"id":` + id + `,"subject":"` + subject + `","description_text":"Hi","status":` + status + `,"priority":` + prio + `,"source":1,"requester_id":` + requester +
		`,"created_at":"2026-04-09T10:00:00Z","updated_at":"2026-04-09T11:00:00Z","custom_fields":{"cf_fish_type":"Cod"},"conversations":[` + convs + `]}`
}

// malformed: bad records are reported naming their record, the rest of
// the export imports, and what was imported before stays.
func malformed(t *testing.T, e *apptest.Env) {
	t.Helper()
	list := "[" + strings.Join([]string{
		`{"id":2201,"status":"open"}`,
		ticket("2202", "2", "9", "8001", "Bad priority", ""),
		ticket("2203", "2", "1", "1", "Unknown requester", ""),
		ticket("2204", "2", "1", "8001", "Undated reply", `{"id":1,"user_id":9001,"body_text":"x"}`),
		ticket("2205", "2", "1", "8001", strings.Repeat("Long ", 200), ""),
		ticket("2206", "4", "2", "8001", "Fine", `{"id":2,"user_id":9001,"body_text":"Done","created_at":"2026-04-09T10:30:00Z"}`),
	}, ",") + "]"
	conv, err := freshdesk.Read(exportFS(t, list))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Sys.Importer.ImportConverted(context.Background(), authz.System, conv, importer.Options{Format: "freshdesk"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, le := range res.Errors {
		got = append(got, le.Source+": "+le.Error)
	}
	wantErrs := []string{
		`tickets.json: ticket 2201: does not have the expected fields and types (cannot unmarshal string into Go struct field fticket.status of type int)`,
		`tickets.json: ticket 2202: priority 9 is not 1 (low) to 4 (urgent)`,
		`tickets.json: ticket 2203: requester_id 1 is not a contact of the export`,
		`tickets.json: ticket 2204: conversation 1 has no created_at`,
		`tickets.json: ticket 2205: ` + res.Errors[len(res.Errors)-1].Error,
	}
	if diff := cmp.Diff(wantErrs, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if last := res.Errors[len(res.Errors)-1]; last.Field["subject"] == "" {
		t.Errorf("the import's error does not name the subject: %+v", last)
	}
	if res.Failed != 5 || len(res.TicketIDs) != 1 || res.Skipped != 0 {
		t.Errorf("failed %d, skipped %d, imported %d tickets; want 5, 0 and 1", res.Failed, res.Skipped, len(res.TicketIDs))
	}
	if n := count(t, e, `SELECT COUNT(*) FROM tickets WHERE external_id LIKE 'freshdesk:%'`); n != 5 {
		t.Errorf("%d tickets, want the 4 imported before and 1", n)
	}
}
