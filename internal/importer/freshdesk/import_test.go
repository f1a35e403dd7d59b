package freshdesk_test

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/importer/freshdesk"
	"github.com/ombud/ombud/internal/importer/importtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func read(t *testing.T, dir string) *importer.Converted {
	t.Helper()
	conv, err := freshdesk.Read(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

// want is the JSON test export as Ombud holds it: every ticket with its
// fields, people, conversations in order with their authors and times,
// and its status history (testdata/export, written from Freshdesk's API
// formats).
var want = map[string][]string{
	"freshdesk:2001": {
		"Cod arrived spoiled | closed high return email | created 2026-04-01T08:00:00Z",
		"requester ola@havgull.no, organization Havgull Fiskehandel, assignee nils@havdesk.test, team Orders",
		"tags quality_issue refund; fields delivery_date=2026-03-31 fish_type=Cod order_number=4711 replacement_sent=true",
		"2026-04-01T08:00:00Z public customer:ola@havgull.no: The cod we got on Tuesday smelled bad.",
		"2026-04-01T09:00:00Z public agent:nils@havdesk.test: So sorry! Could you send a photo?",
		"2026-04-01T10:00:00Z public customer:ola@havgull.no: Here it is. [- spoiled-cod.jpg (image/jpeg, 204800 bytes): https://havgull.freshdesk.com/helpdesk/attachments/4401]",
		"2026-04-01T11:00:00Z note agent:eva@havdesk.test: Quality check: batch 17 was too warm in transit.",
		"2026-04-02T12:00:00Z public agent:nils@havdesk.test: We sent a new delivery and refunded the first one.",
		"2026-04-02T12:00:00Z status new → solved",
		"2026-04-05T09:00:00Z status solved → closed",
	},
	"freshdesk:2002": {
		"Opening hours at Easter | open low question web | created 2026-04-03T14:00:00Z",
		"requester mette@smorbukk.dk, organization Smørbukk Kafé, assignee -, team -",
		"tags ; fields ",
		"2026-04-03T14:00:00Z public customer:mette@smorbukk.dk: Are you open on Easter Monday?",
		"2026-04-03T14:00:00Z status new → open",
	},
	"freshdesk:2003": {
		"Call: wrong invoice amount | pending normal incident phone | created 2026-04-04T09:00:00Z",
		"requester contact-8003@freshdesk.invalid, organization -, assignee eva@havdesk.test, team Orders",
		"tags invoice; fields order_number=4712",
		"2026-04-04T09:00:00Z public customer:contact-8003@freshdesk.invalid: Caller says the invoice is 200 kr too high.",
		"2026-04-04T09:30:00Z public agent:eva@havdesk.test: Checked: the invoice included the deposit. Explained by phone, waiting for the customer to confirm.",
		"2026-04-04T09:30:00Z status new → pending",
	},
	"freshdesk:2004": {
		"Herring for the Christmas menu | solved urgent task chat | created 2026-04-05T10:00:00Z",
		"requester mette@smorbukk.dk, organization Smørbukk Kafé, assignee eva@havdesk.test, team Quality",
		"tags christmas; fields fish_type=Herring",
		"2026-04-05T10:00:00Z public customer:mette@smorbukk.dk: We need 20 kg herring in December.",
		"2026-04-06T10:00:00Z public agent:eva@havdesk.test: Booked for December.",
		"2026-04-06T10:00:00Z status new → solved",
	},
}

// wantCSV is what the CSV export adds: its ticket 2001 is the JSON
// export's, and 2103 has a priority Freshdesk does not have.
var wantCSV = map[string][]string{
	"freshdesk:2101": {
		"Smoked salmon order | solved normal question web | created 2026-04-07T08:00:00Z",
		"requester mette@smorbukk.dk, organization Smørbukk Kafé, assignee eva@havdesk.test, team Orders",
		"tags order salmon; fields boat_name=MS Havørn fish_type=Salmon order_number=4801",
		"2026-04-07T08:00:00Z public customer:mette@smorbukk.dk: Can we order 5 kg smoked salmon for Friday?",
		"2026-04-07T12:00:00Z status new → solved",
	},
	"freshdesk:2102": {
		"Delivery van late | on_hold urgent incident phone | created 2026-04-08T07:30:00Z",
		"requester per@example.se, organization -, assignee -, team Logistics",
		"tags ; fields ",
		"2026-04-08T07:30:00Z public customer:per@example.se: The van was two hours late today.",
		"2026-04-08T08:00:00Z status new → on_hold",
	},
}

func count(t *testing.T, e *apptest.Env, q string) int {
	t.Helper()
	var n int
	if err := e.Sys.DB.QueryRowContext(context.Background(), q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func check(t *testing.T, e *apptest.Env, want map[string][]string) {
	t.Helper()
	if diff := cmp.Diff(want, importtest.Snapshot(t, e.Sys.DB, e.Sys.Tickets, "freshdesk:")); diff != "" {
		t.Errorf("imported tickets (-want +got):\n%s", diff)
	}
	if n := count(t, e, `SELECT COUNT(*) FROM tickets WHERE external_id LIKE 'freshdesk:%'`); n != len(want) {
		t.Errorf("%d tickets, want %d", n, len(want))
	}
}

// TestImportFreshdeskExport: the JSON export imports with its history
// intact; a second import creates nothing new; the CSV export of the same
// account adds only the tickets the JSON did not hold and names the row it
// could not read; an import cancelled midway resumes to the same result
// (issue 18, item 5).
func TestImportFreshdeskExport(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			t.Run("json, again, csv", func(t *testing.T) {
				e := apptest.New(t, engine)
				conv := read(t, "testdata/export")
				if len(conv.Problems) > 0 {
					t.Fatalf("problems reading the test export: %v", conv.Problems)
				}
				res, err := e.Sys.Importer.ImportConverted(ctx, authz.System, conv, importer.Options{Format: "freshdesk"})
				if err != nil || res.Failed != 0 || len(res.TicketIDs) != 4 {
					t.Fatalf("import: %v %+v", err, res)
				}
				check(t, e, want)
				res, err = e.Sys.Importer.ImportConverted(ctx, authz.System, read(t, "testdata/export"), importer.Options{Format: "freshdesk"})
				if err != nil || res.Failed != 0 || len(res.TicketIDs) != 0 || res.Skipped != 4 {
					t.Fatalf("second import: %v %+v", err, res)
				}
				check(t, e, want)
				res, err = e.Sys.Importer.ImportConverted(ctx, authz.System, read(t, "testdata/csv"), importer.Options{Format: "freshdesk"})
				if err != nil || res.Failed != 1 || len(res.TicketIDs) != 2 || res.Skipped != 1 {
					t.Fatalf("csv import: %v %+v", err, res)
				}
				if got, want := res.Errors[0].Source+": "+res.Errors[0].Error, `tickets.csv: row 5 (ticket 2103): Priority "Enormous" is not Low, Medium, High or Urgent`; got != want {
					t.Errorf("error %q, want %q", got, want)
				}
				all := map[string][]string{}
				for k, v := range want {
					all[k] = v
				}
				for k, v := range wantCSV {
					all[k] = v
				}
				check(t, e, all)
			})
			t.Run("interrupted and resumed, malformed", func(t *testing.T) {
				e := apptest.New(t, engine)
				e.Sys.Importer.Batch = 1
				cctx, cancel := context.WithCancel(ctx)
				defer cancel()
				first, err := e.Sys.Importer.ImportConverted(cctx, authz.System, read(t, "testdata/export"), importer.Options{Format: "freshdesk",
					Progress: func(p importer.Progress) {
						if p.Tickets >= 2 {
							cancel()
						}
					}})
				if err == nil || len(first.TicketIDs) == 0 || len(first.TicketIDs) == 4 {
					t.Fatalf("the cancelled import: %v, %d tickets", err, len(first.TicketIDs))
				}
				res, err := e.Sys.Importer.ImportConverted(ctx, authz.System, read(t, "testdata/export"), importer.Options{Format: "freshdesk", From: first.Line})
				if err != nil || res.Failed != 0 || len(first.TicketIDs)+len(res.TicketIDs) != 4 {
					t.Fatalf("resumed: %v %+v", err, res)
				}
				check(t, e, want)
				malformed(t, e)
			})
		})
	}
}
