package kb_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type outbox struct {
	mu   sync.Mutex
	mail []kb.Notice
}

func (o *outbox) QueueKBNotice(_ context.Context, _ *db.Tx, n kb.Notice) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mail = append(o.mail, n)
	return nil
}

// env is a knowledge base on a real database with three agents (an admin
// who publishes, an agent in team 1, an agent in no team), an
// organization and a ticket.
type env struct {
	svc                    *kb.Service
	d                      *db.DB
	now                    time.Time
	admin, agent, outsider authz.Actor
	team, org, ticket      int64
	section                int64
	mail                   *outbox
}

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{d: d, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), mail: &outbox{}}
	blobs, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.svc, err = kb.NewService(d, func() time.Time { return e.now }, blobs, "https://help.example", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	e.svc.SetMailer(e.mail)
	err = d.Write(ctx, func(tx *db.Tx) error {
		ins := func(q string, args ...any) int64 {
			id, err := tx.InsertID(ctx, q, args...)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return id
		}
		a := ins(`INSERT INTO agents (email, name, role, locale, created_at, updated_at) VALUES ('boss@example.org', 'Berit Boss', 'admin', 'nb', 0, 0)`)
		b := ins(`INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('ann@example.org', 'Ann Agent', 'agent', 0, 0)`)
		c := ins(`INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('olle@example.org', 'Olle Outside', 'agent', 0, 0)`)
		e.team = ins(`INSERT INTO teams (name, created_at, updated_at) VALUES ('Billing', 0, 0)`)
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, e.team, b); err != nil {
			t.Fatal(err)
		}
		e.org = ins(`INSERT INTO organizations (name, created_at, updated_at) VALUES ('Fjord AS', 0, 0)`)
		cust := ins(`INSERT INTO customers (name, created_at, updated_at) VALUES ('Kari', 0, 0)`)
		e.ticket = ins(`INSERT INTO tickets (subject, status, priority, type, channel, requester_id, created_at, updated_at) VALUES ('Return', 'open', 'normal', 'question', 'email', ?, 0, 0)`, cust)
		e.admin = authz.Actor{Kind: authz.KindAgent, ID: a, Role: authz.Admin, Name: "Berit Boss"}
		e.agent = authz.Actor{Kind: authz.KindAgent, ID: b, Role: authz.Agent, Name: "Ann Agent"}
		e.outsider = authz.Actor{Kind: authz.KindAgent, ID: c, Role: authz.Agent, Name: "Olle Outside"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := e.svc.CreateCategory(ctx, e.admin, kb.GroupInput{Names: []kb.Name{{Language: "en", Name: "Orders"}, {Language: "nb", Name: "Bestillinger"}}})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := e.svc.CreateSection(ctx, e.admin, cat.ID, kb.GroupInput{Names: []kb.Name{{Language: "en", Name: "Returns"}, {Language: "nb", Name: "Retur"}}})
	if err != nil {
		t.Fatal(err)
	}
	e.section = sec.ID
	return e
}

func (e *env) create(t *testing.T, who authz.Actor, in kb.ArticleInput) kb.Article {
	t.Helper()
	if in.SectionID == 0 {
		in.SectionID = e.section
	}
	if in.Language == "" {
		in.Language = "en"
	}
	a, err := e.svc.Create(context.Background(), who, in)
	if err != nil {
		t.Fatalf("create %q: %v", in.Title, err)
	}
	return a
}

func (e *env) publish(t *testing.T, id int64) {
	t.Helper()
	if _, err := e.svc.Transition(context.Background(), e.admin, id, kb.StatePublished); err != nil {
		t.Fatal(err)
	}
}

func ids(hits []kb.Hit) []int64 {
	out := []int64{}
	for _, h := range hits {
		out = append(out, h.ArticleID)
	}
	return out
}

// TestWorkflow: an agent writes a draft, sends it for review, cannot
// publish; an admin publishes; edits after that need kb.publish; versions,
// diff and restore; translations go out of date when the source moves.
func TestWorkflow(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		a := e.create(t, e.agent, kb.ArticleInput{Title: "How to return an item", Body: "Pack the item.\n\nPrint the **label**.\n\n<script>alert(1)</script>", Visibility: kb.VisPublic, Tags: []string{"Returns", "returns", "label"}})
		if a.State != kb.StateDraft || a.OwnerID != e.agent.ID || a.OwnerName != "Ann Agent" {
			t.Fatalf("created: %+v", a)
		}
		src := a.Source()
		if src.Slug != "how-to-return-an-item" || !strings.Contains(src.HTML, "<strong>label</strong>") || strings.Contains(src.HTML, "<script") {
			t.Fatalf("source: %+v", src)
		}
		if diff := cmp.Diff([]string{"label", "returns"}, a.Tags); diff != "" {
			t.Errorf("tags (-want +got):\n%s", diff)
		}
		if _, err := e.svc.Transition(ctx, e.agent, a.ID, kb.StatePublished); !apperr.Is(err, apperr.CodeUnprocessable) && !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent publishing a draft: %v", err)
		}
		if _, err := e.svc.Transition(ctx, e.agent, a.ID, kb.StateReview); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Transition(ctx, e.agent, a.ID, kb.StatePublished); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent publishing: %v", err)
		}
		if _, err := e.svc.Transition(ctx, e.admin, a.ID, kb.StateArchived); !apperr.Is(err, apperr.CodeUnprocessable) {
			t.Fatalf("review → archived: %v", err)
		}
		e.publish(t, a.ID)
		if _, err := e.svc.SaveText(ctx, e.agent, a.ID, kb.TextInput{Language: "en", Title: "x", Body: "y"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent editing a published article: %v", err)
		}
		// A translation, then the source changes: out of date.
		got, err := e.svc.SaveText(ctx, e.admin, a.ID, kb.TextInput{Language: "nb", Title: "Slik returnerer du en vare", Body: "Pakk varen.\n\nSkriv ut etiketten."})
		if err != nil {
			t.Fatal(err)
		}
		nb, _ := got.In("nb", "en")
		if nb.Outdated || nb.SourceVersion != 1 || nb.Slug != "slik-returnerer-du-en-vare" {
			t.Fatalf("nb: %+v", nb)
		}
		got, err = e.svc.SaveText(ctx, e.admin, a.ID, kb.TextInput{Language: "en", Title: "How to return an item", Body: "Pack the item.\n\nPrint the **label**.\n\nDrop it at a post office.", Note: "post office"})
		if err != nil {
			t.Fatal(err)
		}
		if nb, _ = got.In("nb", "en"); !nb.Outdated {
			t.Fatalf("nb not out of date after the source changed: %+v", nb)
		}
		out, err := e.svc.Search(ctx, kb.Viewer{Actor: e.admin}, kb.Filter{Outdated: true})
		if err != nil || len(out) != 1 {
			t.Fatalf("outdated filter: %v %v", out, err)
		}
		vs, err := e.svc.Versions(ctx, e.admin, a.ID, "en")
		if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[0].Note != "post office" || vs[1].AuthorName != "Ann Agent" {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		diff := kb.Diff(vs[1].Body, vs[0].Body)
		var plus []string
		for _, l := range diff {
			if l.Op == "+" {
				plus = append(plus, l.Text)
			}
			if l.Op == "-" && l.Text != "<script>alert(1)</script>" && l.Text != "" {
				t.Errorf("unexpected removal %q", l.Text)
			}
		}
		if !strings.Contains(strings.Join(plus, "\n"), "Drop it at a post office.") {
			t.Errorf("diff adds %q", plus)
		}
		got, err = e.svc.Restore(ctx, e.admin, a.ID, "en", 1)
		if err != nil {
			t.Fatal(err)
		}
		if s := got.Source(); s.Version != 3 || strings.Contains(s.Body, "post office") {
			t.Fatalf("restored: %+v", s)
		}
	})
}

// TestVisibility: every read path (get, search, tree, files) keeps
// drafts, internal and organization articles from anonymous visitors;
// team-only articles from agents outside the team; org articles for that
// organization's customers.
func TestVisibility(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		pub := e.create(t, e.admin, kb.ArticleInput{Title: "Public refund policy", Body: "Refunds within 14 days.", Visibility: kb.VisPublic})
		draft := e.create(t, e.admin, kb.ArticleInput{Title: "Draft refund notes", Body: "Refunds draft.", Visibility: kb.VisPublic})
		internal := e.create(t, e.admin, kb.ArticleInput{Title: "Internal refund override", Body: "Refunds by hand.", Visibility: kb.VisInternal})
		team := e.create(t, e.admin, kb.ArticleInput{Title: "Billing team refund codes", Body: "Refunds codes.", Visibility: kb.VisInternal, Teams: []int64{e.team}})
		org := e.create(t, e.admin, kb.ArticleInput{Title: "Fjord contract refunds", Body: "Refunds for Fjord.", Visibility: kb.VisOrgs, Orgs: []int64{e.org}})
		for _, a := range []kb.Article{pub, internal, team, org} {
			e.publish(t, a.ID)
		}
		f, err := e.svc.AddFile(ctx, e.admin, internal.ID, "secret.png", strings.NewReader("png"))
		if err != nil {
			t.Fatal(err)
		}
		customer := kb.Viewer{Actor: authz.Actor{Kind: authz.KindCustomer, ID: 9}, Orgs: []int64{e.org}}
		stranger := kb.Viewer{Actor: authz.Actor{Kind: authz.KindCustomer, ID: 10}, Orgs: []int64{e.org + 100}}
		all := []int64{pub.ID, draft.ID, internal.ID, team.ID, org.ID}
		tests := []struct {
			name string
			v    kb.Viewer
			want []int64
		}{
			{"anonymous", kb.Anonymous, []int64{pub.ID}},
			{"customer of the organization", customer, []int64{pub.ID, org.ID}},
			{"customer of another", stranger, []int64{pub.ID}},
			{"agent in the team", kb.Viewer{Actor: e.agent}, all},
			{"agent outside the team", kb.Viewer{Actor: e.outsider}, []int64{pub.ID, draft.ID, internal.ID, org.ID}},
			{"publisher", kb.Viewer{Actor: e.admin}, all},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var got []int64
				for _, id := range all {
					_, err := e.svc.Get(ctx, tt.v, id)
					switch {
					case err == nil:
						got = append(got, id)
					case !apperr.Is(err, apperr.CodeNotFound):
						t.Fatalf("get %d: %v", id, err)
					}
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("get (-want +got):\n%s", diff)
				}
				hits, err := e.svc.Search(ctx, tt.v, kb.Filter{Query: "refunds"})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(len(tt.want), len(hits)); diff != "" {
					t.Errorf("search %v (-want +got count):\n%s", ids(hits), diff)
				}
				tree, err := e.svc.Tree(ctx, tt.v)
				if err != nil || len(tree) != 1 || tree[0].Articles != len(tt.want) {
					t.Errorf("tree: %+v %v", tree, err)
				}
				_, rc, err := e.svc.OpenFile(ctx, tt.v, f.ID)
				if (err == nil) != (tt.name != "anonymous" && tt.v.Actor.Kind == authz.KindAgent) {
					t.Errorf("file of an internal article: %v", err)
				}
				if rc != nil {
					b, _ := io.ReadAll(rc)
					rc.Close()
					if string(b) != "png" {
						t.Errorf("file content %q", b)
					}
				}
			})
		}
		if err := e.svc.Rate(ctx, kb.Anonymous, internal.ID, "en", true, ""); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("rating an internal article anonymously: %v", err)
		}
	})
}

// TestSearch: prefix matching, diacritics, language-aware matching and
// suggestions from a ticket's text, on both engines.
func TestSearch(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		ret := e.create(t, e.admin, kb.ArticleInput{Title: "Returning an item", Body: "You can return any item within 30 days. Print the return label.", Visibility: kb.VisPublic})
		if _, err := e.svc.SaveText(ctx, e.admin, ret.ID, kb.TextInput{Language: "nb", Title: "Returnere en vare", Body: "Du kan returnere varer innen 30 dager. Skriv ut returetiketten."}); err != nil {
			t.Fatal(err)
		}
		del := e.create(t, e.admin, kb.ArticleInput{Title: "Delivery times", Body: "Parcels arrive in two to four working days.", Visibility: kb.VisPublic})
		if _, err := e.svc.SaveText(ctx, e.admin, del.ID, kb.TextInput{Language: "nb", Title: "Leveringstid", Body: "Pakker kommer fram på to til fire virkedager. Sjekk sporingen på Posten.no – før du kontakter oss."}); err != nil {
			t.Fatal(err)
		}
		e.publish(t, ret.ID)
		e.publish(t, del.ID)
		tests := []struct {
			name string
			f    kb.Filter
			want []int64
		}{
			{"word", kb.Filter{Query: "label"}, []int64{ret.ID}},
			{"prefix", kb.Filter{Query: "deliv"}, []int64{del.ID}},
			{"all words", kb.Filter{Query: "return parcels"}, []int64{}},
			{"in Norwegian", kb.Filter{Query: "vare", Language: "nb"}, []int64{ret.ID}},
			{"diacritics and prefix", kb.Filter{Query: "fø", Language: "nb"}, []int64{del.ID}},
			{"not in another language", kb.Filter{Query: "leveringstid", Language: "en"}, []int64{}},
			{"operators are words", kb.Filter{Query: `deliv* OR "x" NEAR(`}, []int64{}},
			{"no text: newest first", kb.Filter{}, []int64{del.ID, ret.ID}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				hits, err := e.svc.Search(ctx, kb.Anonymous, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, ids(hits)); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			})
		}
		if d.Dialect() == db.Postgres {
			// Stemming with the Norwegian configuration: "varene" finds "varer".
			hits, err := e.svc.Search(ctx, kb.Anonymous, kb.Filter{Query: "varene", Language: "nb"})
			if err != nil || len(hits) != 1 {
				t.Errorf("stemmed: %v %v", ids(hits), err)
			}
		}
		sug, err := e.svc.Suggest(ctx, kb.Viewer{Actor: e.agent}, "Where is my parcel? It has not arrived after four days", "en", 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(sug) == 0 || sug[0].ArticleID != del.ID {
			t.Fatalf("suggestions: %+v", sug)
		}
		sug, err = e.svc.Suggest(ctx, kb.Viewer{Actor: e.agent}, "Hvordan returnere varen?", "nb", 5)
		if err != nil || len(sug) == 0 || sug[0].ArticleID != ret.ID || sug[0].Language != "nb" {
			t.Fatalf("nb suggestions: %+v %v", sug, err)
		}
	})
}

// TestFeedbackUsageReminders: a comment goes to the owner; usage lists
// tickets; the verify-by reminder is sent once.
func TestFeedbackUsageReminders(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		a := e.create(t, e.admin, kb.ArticleInput{Title: "Invoices", Body: "Find invoices under Account.", Visibility: kb.VisPublic, VerifyBy: "2026-03-05"})
		e.publish(t, a.ID)
		if err := e.svc.Rate(ctx, kb.Anonymous, a.ID, "nb", false, "Fant ikke fakturaen"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Rate(ctx, kb.Anonymous, a.ID, "en", true, ""); err != nil {
			t.Fatal(err)
		}
		fb, err := e.svc.Feedback(ctx, e.admin, a.ID)
		if err != nil || fb.Helpful != 1 || fb.NotHelpful != 1 || len(fb.Comments) != 1 {
			t.Fatalf("feedback: %+v %v", fb, err)
		}
		if len(e.mail.mail) != 1 || e.mail.mail[0].To[0] != "boss@example.org" || !strings.Contains(e.mail.mail[0].Body, "Fant ikke fakturaen") {
			t.Fatalf("comment mail: %+v", e.mail.mail)
		}
		if err := e.svc.RecordUse(ctx, e.agent, a.ID, e.ticket, "link"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RecordUse(ctx, e.agent, a.ID, e.ticket+99, "link"); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("unknown ticket: %v", err)
		}
		uses, err := e.svc.Usage(ctx, e.agent, a.ID)
		if err != nil || len(uses) != 1 || uses[0].TicketID != e.ticket || uses[0].AgentName != "Ann Agent" {
			t.Fatalf("usage: %+v %v", uses, err)
		}
		if err := e.svc.RemindOwners(ctx, e.now); err != nil || len(e.mail.mail) != 1 {
			t.Fatalf("reminded before the date: %v %d", err, len(e.mail.mail))
		}
		later := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)
		for range 2 {
			if err := e.svc.RemindOwners(ctx, later); err != nil {
				t.Fatal(err)
			}
		}
		if len(e.mail.mail) != 2 || !strings.Contains(e.mail.mail[1].Body, "2026-03-05") {
			t.Fatalf("reminders: %+v", e.mail.mail)
		}
	})
}

// TestValidation: refused input names its field.
func TestValidation(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		tests := []struct {
			name  string
			in    kb.ArticleInput
			field string
		}{
			{"no title", kb.ArticleInput{SectionID: e.section, Language: "en"}, "title"},
			{"bad language", kb.ArticleInput{SectionID: e.section, Language: "xx", Title: "x"}, "language"},
			{"bad visibility", kb.ArticleInput{SectionID: e.section, Language: "en", Title: "x", Visibility: "secret"}, "visibility"},
			{"orgs without one", kb.ArticleInput{SectionID: e.section, Language: "en", Title: "x", Visibility: kb.VisOrgs}, "organization_ids"},
			{"no section", kb.ArticleInput{SectionID: 999, Language: "en", Title: "x"}, "section_id"},
			{"bad date", kb.ArticleInput{SectionID: e.section, Language: "en", Title: "x", VerifyBy: "soon"}, "verify_by"},
			{"unknown org", kb.ArticleInput{SectionID: e.section, Language: "en", Title: "x", Visibility: kb.VisOrgs, Orgs: []int64{999}}, "organization_ids"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.svc.Create(ctx, e.agent, tt.in)
				ae := apperr.As(err)
				if ae == nil || ae.Code != apperr.CodeInvalid || ae.Fields[tt.field] == "" {
					t.Fatalf("got %v, want invalid %s", err, tt.field)
				}
			})
		}
		qa := authz.Actor{Kind: authz.KindAgent, ID: e.agent.ID, Role: authz.QAReviewer}
		if _, err := e.svc.Create(ctx, qa, kb.ArticleInput{SectionID: e.section, Language: "en", Title: "x"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("QA reviewer writing: %v", err)
		}
		if _, err := e.svc.CreateCategory(ctx, e.agent, kb.GroupInput{Names: []kb.Name{{Language: "en", Name: "x"}}}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent creating a category: %v", err)
		}
	})
}

func TestSlugify(t *testing.T) {
	for in, want := range map[string]string{
		"Retur og bytte – slik gjør du": "retur-og-bytte-slik-gjor-du",
		"Ændre leveringsadresse":        "aendre-leveringsadresse",
		"Plačilo z računom":             "placilo-z-racunom",
		"!!!":                           "article",
		"Straße":                        "strasse",
	} {
		if got := kb.Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestPlainText: inline markup keeps words apart as written.
func TestPlainText(t *testing.T) {
	d := dbtest.Open(t, db.SQLite)
	e := setup(t, d)
	a := e.create(t, e.admin, kb.ArticleInput{Title: "x", Body: "Use the **tracking number**.\n\n- one\n- two &amp; three"})
	if got := a.Source().Text; got != "Use the tracking number. one two & three" {
		t.Fatalf("text %q", got)
	}
}
