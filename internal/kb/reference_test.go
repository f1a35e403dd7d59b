package kb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

// refWords are made-up words that no stemmer of the test languages
// shortens, so prefix matching alone decides a match on both engines.
var refWords = strings.Fields("brak flum quix dorv skarn glop krimp zobl yarx pilk")

// refArticle is what the brute-force reference knows of an article.
type refArticle struct {
	id            int64
	vis, state    string
	team, org     bool
	titles, texts map[string]string // by language
}

// TestSearchMatchesReference compares every search on a random small
// knowledge base with a brute-force reference on both engines: which
// articles each viewer gets (visibility included), the two tiers of the
// ranking (articles whose title has every word first) and, within one
// language, the exact order.
func TestSearchMatchesReference(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		r := rand.New(rand.NewPCG(3, 14))
		var other int64 // an organization the customer is not in
		if err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			other, err = tx.InsertID(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES ('Other AS', 0, 0)`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		words := func(n int) string {
			w := make([]string, n)
			for i := range w {
				w[i] = refWords[r.IntN(len(refWords))]
			}
			return strings.Join(w, " ")
		}
		var arts []*refArticle
		for range 40 {
			a := &refArticle{titles: map[string]string{}, texts: map[string]string{}}
			a.vis = []string{kb.VisPublic, kb.VisPublic, kb.VisInternal, kb.VisOrgs}[r.IntN(4)]
			in := kb.ArticleInput{Title: words(1 + r.IntN(3)), Body: words(3 + r.IntN(6)), Visibility: a.vis}
			if a.vis == kb.VisInternal && r.IntN(2) == 0 {
				a.team, in.Teams = true, []int64{e.team}
			}
			if a.vis == kb.VisOrgs {
				a.org, in.Orgs = r.IntN(3) > 0, []int64{other}
				if a.org {
					in.Orgs = []int64{e.org}
				}
			}
			got := e.create(t, e.admin, in)
			a.id, a.titles["en"], a.texts["en"] = got.ID, in.Title, in.Body
			if r.IntN(2) == 0 {
				nb := kb.TextInput{Language: "nb", Title: words(1 + r.IntN(3)), Body: words(3 + r.IntN(6))}
				if _, err := e.svc.SaveText(ctx, e.admin, a.id, nb); err != nil {
					t.Fatal(err)
				}
				a.titles["nb"], a.texts["nb"] = nb.Title, nb.Body
			}
			a.state = kb.StateDraft
			if r.IntN(5) > 0 {
				e.publish(t, a.id)
				a.state = kb.StatePublished
			}
			arts = append(arts, a)
		}
		customer := kb.Viewer{Actor: authz.Actor{Kind: authz.KindCustomer, ID: 9}, Orgs: []int64{e.org}}
		viewers := map[string]kb.Viewer{"anonymous": kb.Anonymous, "customer": customer,
			"agent in the team": {Actor: e.agent}, "agent outside": {Actor: e.outsider}, "publisher": {Actor: e.admin}}
		visible := func(name string, a *refArticle) bool {
			switch name {
			case "anonymous":
				return a.state == kb.StatePublished && a.vis == kb.VisPublic
			case "customer":
				return a.state == kb.StatePublished && (a.vis == kb.VisPublic || a.vis == kb.VisOrgs && a.org)
			case "agent outside":
				return a.vis != kb.VisInternal || !a.team
			}
			return true
		}
		// has reports whether every term is the start of a word of text.
		has := func(text string, ts []string) bool {
			for _, q := range ts {
				if !slices.ContainsFunc(strings.Fields(text), func(w string) bool { return strings.HasPrefix(w, q) }) {
					return false
				}
			}
			return true
		}
		var queries []string
		for range 25 {
			q := words(1 + r.IntN(2))
			if r.IntN(3) == 0 {
				q = q[:2+r.IntN(2)] // typed halfway
			}
			queries = append(queries, strings.TrimSpace(q))
		}
		for name, v := range viewers {
			for _, lang := range []string{"en", "nb", ""} {
				for _, q := range queries {
					ts := strings.Fields(q)
					var title, rest []int64
					for _, a := range arts {
						if !visible(name, a) {
							continue
						}
						inTitle, inText := false, false
						for l := range a.titles {
							if lang != "" && l != lang {
								continue
							}
							inTitle = inTitle || has(a.titles[l], ts)
							inText = inText || has(a.titles[l]+" "+a.texts[l], ts)
						}
						switch {
						case inTitle:
							title = append(title, a.id)
						case inText:
							rest = append(rest, a.id)
						}
					}
					for _, limit := range []int{100, 3} {
						t.Run(fmt.Sprintf("%s/%s/%q/%d", name, lang, q, limit), func(t *testing.T) {
							hits, err := e.svc.Search(ctx, v, kb.Filter{Query: q, Language: lang, Limit: limit})
							if err != nil {
								t.Fatal(err)
							}
							got := ids(hits)
							checkTiers(t, got, title, rest, limit)
							if lang != "" {
								// In one language the order is exact: the
								// shortest titles first, then the newest.
								byID := map[int64]*refArticle{}
								for _, a := range arts {
									byID[a.id] = a
								}
								want := slices.Clone(title)
								slices.SortFunc(want, func(x, y int64) int {
									if n, m := len([]rune(byID[x].titles[lang])), len([]rune(byID[y].titles[lang])); n != m {
										return n - m
									}
									return int(y - x)
								})
								more := slices.Clone(rest)
								slices.SortFunc(more, func(x, y int64) int { return int(y - x) })
								want = append(want, more...)
								if !slices.Equal(got, want[:len(got)]) {
									t.Fatalf("order: got %v, want %v", got, want[:len(got)])
								}
							}
							if name == "anonymous" || name == "customer" {
								for _, h := range hits {
									if h.Visibility == kb.VisInternal || h.State != kb.StatePublished {
										t.Fatalf("%s got %+v", name, h)
									}
								}
							}
						})
					}
				}
			}
		}
	})
}

// checkTiers: got holds the title tier first, then the rest, as many as
// the limit allows and all of them when there is room.
func checkTiers(t *testing.T, got, title, rest []int64, limit int) {
	t.Helper()
	want := min(limit, len(title)+len(rest))
	if len(got) != want {
		t.Fatalf("got %d hits %v, want %d (title %v, rest %v)", len(got), got, want, title, rest)
	}
	n := min(len(title), len(got))
	for i, id := range got {
		tier := title
		if i >= n {
			tier = rest
		}
		if !slices.Contains(tier, id) {
			t.Fatalf("hit %d (%d) in the wrong tier: got %v, title %v, rest %v", i, id, got, title, rest)
		}
	}
}
