package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/kb"
)

// kbWords make up the synthetic articles: common words appear in many
// articles, rare ones in few, as in a real knowledge base.
var kbWords = strings.Fields(`parcel delivery return refund invoice account password order tracking label
	warehouse exchange size colour payment card klarna voucher discount shipping carrier postnord bring
	pickup locker address change cancel subscription newsletter privacy export delete warranty repair
	broken missing damaged late early weekend holiday store opening hours phone chat email form login`)

// BenchmarkKBSearch fills a knowledge base with OMBUD_BENCH_KB_ARTICLES
// published public articles (default 50000, in English and Norwegian) and
// times help center searches of one to three words (prefixes included) on
// each engine, reporting the median and 95th percentile per search. The
// articles are written with plain SQL in bulk (the service's own path is
// timed by the page tests); Service.IndexTitles then writes the title
// vocabulary and PostgreSQL's search vectors as the service does.
//
//	go test ./bench/ -run '^$' -bench KBSearch -benchtime 1x -timeout 60m
func BenchmarkKBSearch(b *testing.B) {
	n := envInt("OMBUD_BENCH_KB_ARTICLES", 50000)
	for _, engine := range dbtest.Engines {
		b.Run(engine.String(), func(b *testing.B) {
			ctx := context.Background()
			d := dbtest.Open(b, engine)
			svc, err := kb.NewService(d, time.Now, nil, "", slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				b.Fatal(err)
			}
			begin := time.Now()
			fillKB(b, d, n)
			if err := svc.IndexTitles(ctx); err != nil { // title words; PostgreSQL's vectors
				b.Fatal(err)
			}
			if err := d.Analyze(ctx); err != nil {
				b.Fatal(err)
			}
			b.Logf("%s: %d articles in %s", engine, n, time.Since(begin).Round(time.Second))
			r := rand.New(rand.NewPCG(7, 9))
			queries := make([]string, 400)
			for i := range queries {
				var q []string
				for range 1 + r.IntN(3) {
					w := kbWords[r.IntN(len(kbWords))]
					if r.IntN(3) == 0 {
						w = w[:min(len(w), 4)] // typed halfway
					}
					q = append(q, w)
				}
				queries[i] = strings.Join(q, " ")
			}
			var took []time.Duration
			b.ResetTimer()
			for range b.N {
				for i, q := range queries {
					lang := []string{"en", "nb"}[i%2]
					start := time.Now()
					if _, err := svc.Search(ctx, kb.Anonymous, kb.Filter{Query: q, Language: lang, Limit: 20}); err != nil {
						b.Fatal(err)
					}
					took = append(took, time.Since(start))
				}
			}
			b.StopTimer()
			slices.Sort(took)
			p := func(q float64) float64 { return float64(took[int(q*float64(len(took)-1))].Microseconds()) / 1000 }
			b.ReportMetric(p(0.5), "p50-ms")
			b.ReportMetric(p(0.95), "p95-ms")
		})
	}
}

// fillKB writes n published public articles with an English and a
// Norwegian translation of random words.
func fillKB(b *testing.B, d *db.DB, n int) {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(1, 2))
	// A vocabulary of 20,000 words drawn by Zipf's law, as in real text:
	// the topic words are spread through it, so some are common and some
	// rare, and a query word matches a realistic share of the articles.
	vocab := make([]string, 20000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%x", i*7919)
	}
	for i, w := range kbWords {
		vocab[i*i*5+3] = w
	}
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(vocab)-1))
	text := func(words int) string {
		s := make([]string, words)
		for i := range s {
			s[i] = vocab[zipf.Uint64()]
		}
		return strings.Join(s, " ")
	}
	now := db.Millis(time.Now())
	err := d.WriteBulk(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_categories (id, position, created_at) VALUES (1, 0, ?)`, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_sections (id, category_id, position, created_at) VALUES (1, 1, 0, ?)`, now); err != nil {
			return err
		}
		for i := 1; i <= n; i++ {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kb_articles (id, section_id, source_language, state, visibility, created_at, updated_at, published_at)
				VALUES (?, 1, 'en', 'published', 'public', ?, ?, ?)`, i, now, now, now); err != nil {
				return err
			}
			for _, lang := range []string{"en", "nb"} {
				title, body := text(5), text(120)
				if _, err := tx.ExecContext(ctx, `INSERT INTO kb_translations (article_id, language, title, slug, body, body_html, body_text, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, i, lang, title, kb.Slugify(title), body, "<p>"+body+"</p>", body, now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := d.Analyze(ctx); err != nil {
		b.Fatal(err)
	}
}
