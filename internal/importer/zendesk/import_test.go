package zendesk_test

import (
	"context"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/importer/importtest"
	"github.com/ombud/ombud/internal/importer/zendesk"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func read(t *testing.T) *importer.Converted {
	t.Helper()
	conv, err := zendesk.Read(os.DirFS("testdata/export"))
	if err != nil {
		t.Fatal(err)
	}
	if len(conv.Problems) > 0 {
		t.Fatalf("problems reading the test export: %v", conv.Problems)
	}
	return conv
}

// want is the test export as Ombud holds it: every ticket with its
// fields, people, comments in order with their authors and times, and its
// status history (testdata/export, written from Zendesk's export format).
var want = map[string][]string{
	"zendesk:1001": {
		"Charged twice for order 12345 | solved high question email | created 2026-03-01T09:00:00Z",
		"requester kari@fjordbakeri.no, organization Fjord Bakeri AS, assignee ingrid@fjordbakeri-support.test, team Billing",
		"tags billing vip; fields allergens=Gluten, Milk delivery_date=2026-03-05 gift=true order_number=12345 product=Sourdough kit",
		"2026-03-01T09:00:00Z public customer:kari@fjordbakeri.no: Hi, I was charged twice for order 12345.",
		"2026-03-01T09:20:00Z note agent:ingrid@fjordbakeri-support.test: Checked the payment log: the double charge is real.",
		"2026-03-01T09:30:00Z public agent:ingrid@fjordbakeri-support.test: Sorry about that! We refunded one of the charges. [- refund-receipt.pdf (application/pdf, 48213 bytes): https://fjordbakeri.zendesk.com/attachments/token/abc123/?name=refund-receipt.pdf]",
		"2026-03-01T11:00:00Z public customer:kari@fjordbakeri.no: Thanks, I see the refund now.",
		"2026-03-01T12:00:00Z status new → solved",
	},
	"zendesk:1002": {
		"Web shop down | closed urgent incident web | created 2026-03-02T08:00:00Z",
		"requester sven@nordlys-sport.se, organization Nordlys Sport AB, assignee lars@fjordbakeri-support.test, team Support",
		"tags outage; fields product=Bread box",
		"2026-03-02T08:00:00Z public customer:sven@nordlys-sport.se: The web shop shows an error when we check out.",
		"2026-03-02T08:15:00Z public agent:lars@fjordbakeri-support.test: Thanks, we are looking into it.",
		"2026-03-02T09:00:00Z public agent:lars@fjordbakeri-support.test: Fixed: the payment provider had an outage.",
		"2026-03-06T09:00:00Z status new → solved",
		"2026-03-06T09:00:00Z status solved → closed",
	},
	"zendesk:1003": {
		"Phone call about delivery | pending normal question phone | created 2026-03-03T10:00:00Z",
		"requester user-313@zendesk.invalid, organization -, assignee -, team Support",
		"tags ; fields ",
		"2026-03-03T10:00:00Z public agent:lars@fjordbakeri-support.test: Call from +45 8000 1234: asks when the delivery comes.",
		"2026-03-03T10:05:00Z note agent:lars@fjordbakeri-support.test: Asked the courier, waiting for an answer.",
		"2026-03-03T10:10:00Z status new → pending",
	},
	"zendesk:1004": {
		"Order a cake for the opening | on_hold low task api | created 2026-03-04T13:00:00Z",
		"requester kari@fjordbakeri.no, organization Fjord Bakeri AS, assignee lars@fjordbakeri-support.test, team -",
		"tags cakes follow_up; fields product=Gift card",
		"2026-03-04T13:00:00Z public customer:kari@fjordbakeri.no: We would like to order a cake for the shop opening on 20 March.",
		"2026-03-04T14:00:00Z public agent:lars@fjordbakeri-support.test: Waiting for the pastry chef to confirm the date.",
		"2026-03-04T15:00:00Z status new → on_hold",
	},
	"zendesk:1005": {
		"Gluten free bread? | open normal question chat | created 2026-03-05T16:00:00Z",
		"requester sven@nordlys-sport.se, organization Nordlys Sport AB, assignee -, team -",
		"tags question; fields ",
		"2026-03-05T16:00:00Z public customer:sven@nordlys-sport.se: Do you sell gluten free bread?",
		"2026-03-05T16:05:00Z status new → open",
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

func check(t *testing.T, e *apptest.Env) {
	t.Helper()
	if diff := cmp.Diff(want, importtest.Snapshot(t, e.Sys.DB, e.Sys.Tickets, "zendesk:")); diff != "" {
		t.Errorf("imported tickets (-want +got):\n%s", diff)
	}
	if n := count(t, e, `SELECT COUNT(*) FROM tickets WHERE external_id LIKE 'zendesk:%'`); n != 5 {
		t.Errorf("%d tickets, want 5", n)
	}
	if n := count(t, e, `SELECT COUNT(*) FROM comments c JOIN tickets t ON t.id = c.ticket_id WHERE t.external_id LIKE 'zendesk:%'`); n != 12 {
		t.Errorf("%d comments, want 12", n)
	}
	if n := count(t, e, `SELECT COUNT(*) FROM custom_fields WHERE key IN ('product', 'order_number', 'gift', 'delivery_date', 'internal_reference', 'allergens')`); n != 6 {
		t.Errorf("%d custom fields, want 6", n)
	}
}

// TestImportZendeskExport: the export imports with its history intact; a
// second import creates nothing new; an import cancelled midway resumes
// to the same result (issue 18, item 5).
func TestImportZendeskExport(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			t.Run("whole and again", func(t *testing.T) {
				e := apptest.New(t, engine)
				res, err := e.Sys.Importer.ImportConverted(ctx, authz.System, read(t), importer.Options{Format: "zendesk"})
				if err != nil || res.Failed != 0 || len(res.TicketIDs) != 5 {
					t.Fatalf("import: %v %+v", err, res)
				}
				check(t, e)
				res, err = e.Sys.Importer.ImportConverted(ctx, authz.System, read(t), importer.Options{Format: "zendesk"})
				if err != nil || res.Failed != 0 || len(res.TicketIDs) != 0 || res.Skipped != 5 {
					t.Fatalf("second import: %v %+v", err, res)
				}
				check(t, e)
			})
			t.Run("interrupted and resumed", func(t *testing.T) {
				e := apptest.New(t, engine)
				e.Sys.Importer.Batch = 2
				cctx, cancel := context.WithCancel(ctx)
				defer cancel()
				first, err := e.Sys.Importer.ImportConverted(cctx, authz.System, read(t), importer.Options{Format: "zendesk",
					Progress: func(p importer.Progress) {
						if p.Tickets >= 2 {
							cancel()
						}
					}})
				if err == nil || len(first.TicketIDs) == 0 || len(first.TicketIDs) == 5 {
					t.Fatalf("the cancelled import: %v, %d tickets", err, len(first.TicketIDs))
				}
				res, err := e.Sys.Importer.ImportConverted(ctx, authz.System, read(t), importer.Options{Format: "zendesk", From: first.Line})
				if err != nil || res.Failed != 0 || len(first.TicketIDs)+len(res.TicketIDs) != 5 {
					t.Fatalf("resumed: %v %+v", err, res)
				}
				check(t, e)
			})
			t.Run("malformed records", func(t *testing.T) { malformed(t, engine) })
		})
	}
}
