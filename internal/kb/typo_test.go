package kb_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

// TestTypos: a word with a typo finds the article through its title in
// each of the five languages, on both engines, and Find names the
// corrected query; a customer's typo never reaches an internal article.
func TestTypos(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		articles := []struct{ lang, title, body string }{
			{"en", "Refund policy", "Money back within 14 days."},
			{"nb", "Levering og sporing", "Pakken kommer innen fire dager."},
			{"sv", "Återbetalning av köp", "Pengarna tillbaka inom två veckor."},
			{"da", "Fortrydelsesret og returnering", "Du har fjorten dages fortrydelsesret."},
			{"sl", "Vračilo kupnine", "Denar vrnemo v štirinajstih dneh."},
		}
		id := map[string]int64{}
		for _, a := range articles {
			got := e.create(t, e.admin, kb.ArticleInput{Language: a.lang, Title: a.title, Body: a.body, Visibility: kb.VisPublic})
			e.publish(t, got.ID)
			id[a.lang] = got.ID
		}
		secret := e.create(t, e.admin, kb.ArticleInput{Title: "Chargeback escalation", Body: "Internal steps.", Visibility: kb.VisInternal})
		e.publish(t, secret.ID)
		// must: the engine cannot find it without the correction (the
		// others it may: SQLite folds diacritics, PostgreSQL stems).
		tests := []struct {
			lang, q, want string
			article       int64
			must          bool
		}{
			{"en", "refnud", "refund", id["en"], true},              // letters swapped
			{"en", "refund polcy", "refund policy", id["en"], true}, // a letter missing
			{"nb", "leevring", "levering", id["nb"], true},
			{"nb", "sporinng", "sporing", id["nb"], false}, // a letter too many
			{"sv", "återbetalnig", "återbetalning", id["sv"], false},
			{"sv", "aterbetalning", "återbetalning", id["sv"], false}, // a letter without its ring
			{"da", "fortrydelsesrett", "fortrydelsesret", id["da"], false},
			{"da", "returnerign", "returnering", id["da"], true},
			{"sl", "vracilo", "vračilo", id["sl"], false},
			{"sl", "kupnien", "kupnine", id["sl"], true},
		}
		for _, tt := range tests {
			t.Run(tt.lang+" "+tt.q, func(t *testing.T) {
				res, err := e.svc.Find(ctx, kb.Anonymous, kb.Filter{Query: tt.q, Language: tt.lang})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff([]int64{tt.article}, ids(res.Hits)); diff != "" {
					t.Errorf("hits (-want +got):\n%s", diff)
				}
				if res.DidYouMean != tt.want && (tt.must || res.DidYouMean != "") {
					t.Errorf("did you mean %q, want %q", res.DidYouMean, tt.want)
				}
			})
		}
		// A word that is right finds nothing more and suggests nothing.
		res, err := e.svc.Find(ctx, kb.Anonymous, kb.Filter{Query: "refund", Language: "en"})
		if err != nil || res.DidYouMean != "" || len(res.Hits) != 1 {
			t.Errorf("right word: %+v %v", res, err)
		}
		// A stop word alone ("og") still finds the article with it
		// (PostgreSQL's Norwegian configuration drops it).
		res, err = e.svc.Find(ctx, kb.Anonymous, kb.Filter{Query: "og", Language: "nb"})
		if err != nil || len(res.Hits) != 1 {
			t.Errorf("stop word: %+v %v", res, err)
		}
		// Nothing close: no correction, no hits.
		res, err = e.svc.Find(ctx, kb.Anonymous, kb.Filter{Query: "xylophone", Language: "en"})
		if err != nil || res.DidYouMean != "" || len(res.Hits) != 0 {
			t.Errorf("nothing close: %+v %v", res, err)
		}
		// The internal article's title word is in the vocabulary, but a
		// corrected query still goes through the viewer's filter.
		customer := kb.Viewer{Actor: authz.Actor{Kind: authz.KindCustomer, ID: 9}, Orgs: []int64{e.org}}
		for _, v := range []kb.Viewer{kb.Anonymous, customer} {
			res, err = e.svc.Find(ctx, v, kb.Filter{Query: "chargebak"})
			if err != nil || len(res.Hits) != 0 || res.DidYouMean != "" {
				t.Errorf("customer's typo of an internal title: %+v %v", res, err)
			}
		}
		res, err = e.svc.Find(ctx, kb.Viewer{Actor: e.agent}, kb.Filter{Query: "chargebak"})
		if err != nil || len(res.Hits) != 1 || res.DidYouMean != "chargeback" {
			t.Errorf("agent's typo of an internal title: %+v %v", res, err)
		}
		// Portal suggestions correct typos too.
		sug, err := e.svc.Suggest(ctx, customer, "Where is my refnud?", "en", 5)
		if err != nil || len(sug) != 1 || sug[0].ArticleID != id["en"] {
			t.Errorf("suggest with a typo: %+v %v", sug, err)
		}
		if d.Dialect() == db.Postgres {
			// Stemming with the Norwegian configuration: "leveringer"
			// (plural) finds "levering" with no correction.
			res, err = e.svc.Find(ctx, kb.Anonymous, kb.Filter{Query: "leveringer", Language: "nb"})
			if err != nil || len(res.Hits) != 1 || res.DidYouMean != "" {
				t.Errorf("leveringer → levering: %+v %v", res, err)
			}
		}
	})
}

// TestTitleIndex: titles written before the vocabulary existed (or in
// bulk) are indexed on first use; a renamed title's new words are found.
func TestTitleIndex(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		a := e.create(t, e.admin, kb.ArticleInput{Title: "Invoice copies", Body: "Download them.", Visibility: kb.VisPublic})
		e.publish(t, a.ID)
		if _, err := e.svc.SaveText(ctx, e.admin, a.ID, kb.TextInput{Language: "en", Title: "Receipt copies", Body: "Download them."}); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Find(ctx, kb.Anonymous, kb.Filter{Query: "reciept"})
		if err != nil || res.DidYouMean != "receipt" || len(res.Hits) != 1 {
			t.Fatalf("renamed title: %+v %v", res, err)
		}
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM kb_title_deletes`)
			if err == nil {
				_, err = tx.ExecContext(ctx, `DELETE FROM kb_title_words`)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		fresh, err := kb.NewService(d, func() time.Time { return e.now }, nil, "", slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		res, err = fresh.Find(ctx, kb.Anonymous, kb.Filter{Query: "reciept"})
		if err != nil || res.DidYouMean != "receipt" || len(res.Hits) != 1 {
			t.Fatalf("after a rebuild: %+v %v", res, err)
		}
	})
}
