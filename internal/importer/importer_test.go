package importer_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

type requesters struct{ c *customer.Service }

func (r requesters) ResolveRequester(ctx context.Context, tx *db.Tx, email, name string) (int64, int64, error) {
	return r.c.ResolveRequester(ctx, tx, email, name)
}

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	bs, err := r.c.Brief(ctx, ids)
	out := map[int64]ticket.CustomerBrief{}
	for id, b := range bs {
		out[id] = ticket.CustomerBrief{ID: b.ID, Name: b.Name, Email: b.Email}
	}
	return out, err
}

// directory keeps the people records in the database itself: the
// application's directory goes through the agent and customer services,
// which this package does not depend on.
type directory struct{ d *db.DB }

func (x directory) EnsureTeam(ctx context.Context, t importer.Team) (int64, error) {
	var id int64
	err := x.d.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES (?, 1, 1)`, t.Name)
		return err
	})
	return id, err
}

func (x directory) EnsureAgent(ctx context.Context, a importer.Agent, _ []int64) (int64, error) {
	var id int64
	err := x.d.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES (?, ?, ?, 1, 1)`, a.Email, a.Name, a.Role)
		return err
	})
	return id, err
}

func (x directory) EnsureOrganization(context.Context, importer.Organization) (int64, error) {
	return 0, fmt.Errorf("not in this test")
}

func (x directory) EnsureCustomer(context.Context, importer.Customer, int64) (int64, error) {
	return 0, fmt.Errorf("not in this test")
}

func (x directory) EnsureField(context.Context, importer.Field) (string, error) {
	return "", fmt.Errorf("not in this test")
}

// TestImportRecordsSLABreaches: `ombud import` refreshes the SLA clocks of
// what it imports, so the minute sweep records the breaches the imported
// history holds, as for tickets made in Ombud (docs/metrics.md, "Imported
// history and SLA").
func TestImportRecordsSLABreaches(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)}
		tickets := ticket.NewService(d, clk.now, requesters{customer.NewService(d, clk.now)}, richtext.New())
		slas := sla.NewService(d, clk.now, tickets)
		tickets.AddHook(slas) // as the application wires it
		admin := authz.Actor{Kind: authz.KindSystem, Role: authz.Admin}
		if _, err := slas.CreatePolicy(ctx, admin, sla.PolicyInput{Name: "All", Targets: map[string]sla.Target{
			"high": {FirstReply: "2h", Resolution: "24h"}}}); err != nil {
			t.Fatal(err)
		}
		if err := slas.RecomputeAll(ctx); err != nil {
			t.Fatal(err)
		}
		ndjson := `{"kind":"agent","agent":{"email":"ingrid@ombud.test","name":"Ingrid","role":"agent"}}
{"kind":"ticket","ticket":{"external_id":"late","subject":"Late","requester":"kari@example.no","requester_name":"Kari","channel":"email","priority":"high","type":"question","timeline":[
 {"at":"2026-03-01T09:00:00Z","actor":"customer:kari@example.no","do":"comment","body":"Hello","public":true},
 {"at":"2026-03-01T13:00:00Z","actor":"agent:ingrid@ombud.test","do":"comment","body":"Sorry","public":true},
 {"at":"2026-03-01T14:00:00Z","actor":"agent:ingrid@ombud.test","do":"status","to":"solved"}]}}
{"kind":"ticket","ticket":{"external_id":"fine","subject":"Fine","requester":"kari@example.no","requester_name":"Kari","channel":"email","priority":"high","type":"question","timeline":[
 {"at":"2026-03-01T09:00:00Z","actor":"customer:kari@example.no","do":"comment","body":"Hello","public":true},
 {"at":"2026-03-01T09:30:00Z","actor":"agent:ingrid@ombud.test","do":"comment","body":"Here","public":true},
 {"at":"2026-03-01T10:00:00Z","actor":"agent:ingrid@ombud.test","do":"status","to":"solved"}]}}
`
		// Each record on one line.
		var lines []string
		for _, rec := range strings.Split(ndjson, "\n{") {
			lines = append(lines, strings.ReplaceAll(rec, "\n", ""))
		}
		body := strings.Join(lines, "\n{")
		imp := importer.NewService(d, tickets, directory{d})
		res, err := imp.Import(ctx, admin, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if res.Failed != 0 || len(res.TicketIDs) != 2 {
			t.Fatalf("import: %+v", res)
		}
		if _, err := slas.Sweep(ctx, clk.now()); err != nil {
			t.Fatal(err)
		}
		got := map[int64][]string{}
		for _, id := range res.TicketIDs {
			evs, err := tickets.ListEvents(ctx, admin, id, page.Request{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			got[id] = []string{}
			for _, e := range evs.Data {
				if e.Type == sla.EvBreached {
					got[id] = append(got[id], fmt.Sprint(e.Data["metric"], " due ", e.Data["due_at"]))
				}
			}
		}
		want := map[int64][]string{
			res.TicketIDs[0]: {"first_reply due 2026-03-01T11:00:00Z"},
			res.TicketIDs[1]: {},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("sla_breached events (-want +got):\n%s", diff)
		}
	})
}
