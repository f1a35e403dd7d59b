package kb_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

type fixedDeflections int

func (f fixedDeflections) Deflections(context.Context, time.Time, time.Time) (int, error) {
	return int(f), nil
}

// TestKnowledgeReport: a hand-computed scenario. In March 2026 the
// "Returns" article is read 3 times in the help center (2 en, 1 nb), once
// from the portal and once by an agent; readers answer 2 yes (one
// commented) and 1 no; it is inserted twice on one ticket. "Invoices" is
// read once and rated no. Searches: "Gift  cards!" twice and "gift cards"
// once in en (one query), "gavekort" once in nb, a search that found
// something is not kept; a view on 1 April is outside the period.
func TestKnowledgeReport(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		e.svc.SetDeflections(fixedDeflections(4))
		ret := e.create(t, e.admin, kb.ArticleInput{Title: "Returns", Body: "Print the label.", Visibility: kb.VisPublic})
		if _, err := e.svc.SaveText(ctx, e.admin, ret.ID, kb.TextInput{Language: "nb", Title: "Retur", Body: "Skriv ut."}); err != nil {
			t.Fatal(err)
		}
		inv := e.create(t, e.admin, kb.ArticleInput{Title: "Invoices", Body: "Under Account.", Visibility: kb.VisPublic})
		e.publish(t, ret.ID)
		e.publish(t, inv.ID)
		e.now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
		view := func(id int64, lang, ch string) {
			if err := e.svc.RecordView(ctx, id, lang, ch); err != nil {
				t.Fatal(err)
			}
		}
		view(ret.ID, "en", kb.ChannelHelp)
		view(ret.ID, "en", kb.ChannelHelp)
		view(ret.ID, "nb", kb.ChannelHelp)
		view(ret.ID, "en", kb.ChannelPortal)
		view(ret.ID, "en", kb.ChannelAgent)
		view(inv.ID, "en", kb.ChannelHelp)
		for _, r := range []struct {
			id      int64
			lang    string
			helpful bool
			comment string
		}{{ret.ID, "en", true, "Clear"}, {ret.ID, "nb", true, ""}, {ret.ID, "en", false, ""}, {inv.ID, "en", false, ""}} {
			if err := e.svc.Rate(ctx, kb.Anonymous, r.id, r.lang, r.helpful, r.comment); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if err := e.svc.RecordUse(ctx, e.agent, ret.ID, e.ticket, "link"); err != nil {
				t.Fatal(err)
			}
		}
		search := func(q, lang, ch string, found int) {
			if err := e.svc.RecordSearch(ctx, q, lang, ch, found); err != nil {
				t.Fatal(err)
			}
		}
		search("Gift  cards!", "en", kb.ChannelHelp, 0)
		e.now = e.now.Add(time.Hour)
		search("gift cards", "en", kb.ChannelPortal, 0)
		search("gift CARDS", "en", kb.ChannelHelp, 0)
		search("gavekort", "nb", kb.ChannelHelp, 0)
		search("returns", "en", kb.ChannelHelp, 1)
		e.now = time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC)
		view(ret.ID, "en", kb.ChannelHelp)

		march := kb.ReportFilter{From: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
		if _, err := e.svc.Report(ctx, authz.Actor{Kind: authz.KindAgent, ID: e.agent.ID, Role: authz.Collaborator}, march); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("a collaborator read the report: %v", err)
		}
		rep, err := e.svc.Report(ctx, e.admin, march)
		if err != nil {
			t.Fatal(err)
		}
		f := func(v float64) *float64 { return &v }
		at := func(h int) time.Time { return time.Date(2026, 3, 10, h, 0, 0, 0, time.UTC) }
		want := kb.Report{From: march.From, To: march.To, Deflections: 4,
			Totals: kb.ArticleFigures{HelpViews: 4, PortalViews: 1, AgentViews: 1, Views: 6, Helpful: 2, NotHelpful: 2, HelpfulRate: f(0.5), Comments: 1, Uses: 2, Tickets: 1},
			Articles: []kb.ArticleFigures{
				{ArticleID: ret.ID, Title: "Returns", HelpViews: 3, PortalViews: 1, AgentViews: 1, Views: 5, Helpful: 2, NotHelpful: 1, HelpfulRate: f(2.0 / 3), Comments: 1, Uses: 2, Tickets: 1},
				{ArticleID: inv.ID, Title: "Invoices", HelpViews: 1, Views: 1, NotHelpful: 1, HelpfulRate: f(0)},
			},
			Gaps:     []kb.SearchGap{{Query: "gift cards", Language: "en", Searches: 3, LastSeen: at(13)}, {Query: "gavekort", Language: "nb", Searches: 1, LastSeen: at(13)}},
			Comments: []kb.ReportComment{{ArticleID: ret.ID, Title: "Returns", Language: "en", Helpful: true, Comment: "Clear", CreatedAt: at(12)}},
		}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("March report (-want +got):\n%s", diff)
		}
		march.Language = "nb"
		nb, err := e.svc.Report(ctx, e.admin, march)
		if err != nil {
			t.Fatal(err)
		}
		if nb.Totals.Views != 1 || nb.Totals.Helpful != 1 || nb.Totals.NotHelpful != 0 || len(nb.Gaps) != 1 || nb.Gaps[0].Query != "gavekort" ||
			nb.Totals.Uses != 0 || len(nb.Articles) != 1 || nb.Articles[0].Title != "Retur" {
			t.Errorf("Norwegian report: %+v", nb)
		}
		if _, err := e.svc.Report(ctx, e.admin, kb.ReportFilter{From: march.To, To: march.From}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Errorf("reversed period: %v", err)
		}
		if got := kb.NormalizeQuery("  Retur   av VARER?! "); got != "retur av varer" {
			t.Errorf("normalised %q", got)
		}
	})
}
