package kb_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

// TestTitleTierFollowsEdits: the title tier follows a title as it is
// written, changed and translated, on both engines (PostgreSQL reads it
// from kb_title_vecs, migration 0080, written with the vectors): an
// article whose title has the word comes before a newer one with the word
// in its text only, and a title changed away from the word drops it to
// the text tier at once.
func TestTitleTierFollowsEdits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		titled := e.create(t, e.admin, kb.ArticleInput{Title: "Gift wrapping", Body: "Paper and ribbon.", Visibility: kb.VisPublic})
		e.publish(t, titled.ID)
		texted := e.create(t, e.admin, kb.ArticleInput{Title: "Parcel options", Body: "Choose gift wrapping at checkout.", Visibility: kb.VisPublic})
		e.publish(t, texted.ID)
		search := func(q, lang string) []int64 {
			t.Helper()
			hits, err := e.svc.Search(ctx, kb.Viewer{Actor: e.admin}, kb.Filter{Query: q, Language: lang})
			if err != nil {
				t.Fatal(err)
			}
			return ids(hits)
		}
		if diff := cmp.Diff([]int64{titled.ID, texted.ID}, search("wrapp", "en")); diff != "" {
			t.Errorf("title first (-want +got):\n%s", diff)
		}
		// The title changes: the article falls to the text tier (its text
		// no longer has the word: it is not found at all), and the new
		// title word finds it in the title tier.
		if _, err := e.svc.SaveText(ctx, e.admin, titled.ID, kb.TextInput{Language: "en", Title: "Ribbon colours", Body: "Paper and ribbon."}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{texted.ID}, search("wrapping", "en")); diff != "" {
			t.Errorf("after the title changed (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]int64{titled.ID}, search("ribbon col", "en")); diff != "" {
			t.Errorf("new title words (-want +got):\n%s", diff)
		}
		// A translation added later is in its own language's title tier.
		if _, err := e.svc.SaveText(ctx, e.admin, texted.ID, kb.TextInput{Language: "nb", Title: "Gaveinnpakning", Body: "Velg innpakning i kassen."}); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{texted.ID}, search("gaveinnpakning", "nb")); diff != "" {
			t.Errorf("translation (-want +got):\n%s", diff)
		}
		if d.Dialect() == db.Postgres {
			// Every translation's title vector is in kb_title_vecs, equal.
			var n, same int
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(*) FILTER (WHERE v.title_vec = t.title_vec AND v.language = t.language AND v.article_id = t.article_id)
				FROM kb_translations t LEFT JOIN kb_title_vecs v ON v.id = t.id`).Scan(&n, &same); err != nil {
				t.Fatal(err)
			}
			if n != 3 || same != n {
				t.Errorf("kb_title_vecs: %d of %d translations alike", same, n)
			}
		}
	})
}
