package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/kb"
)

// TestDemoKnowledge: the demo's help center has its four public articles
// in each of the five languages, findable by search in that language, and
// keeps the internal article from visitors.
func TestDemoKnowledge(t *testing.T) {
	ctx := context.Background()
	c := config.Defaults()
	c.DataDir = t.TempDir()
	sys, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	if _, err := sys.LoadDemo(ctx); err != nil {
		t.Fatal(err)
	}
	tree, err := sys.KB.Tree(ctx, kb.Anonymous)
	if err != nil || len(tree) != 4 {
		t.Fatalf("categories: %d %v", len(tree), err)
	}
	queries := map[string]string{"en": "parcel", "nb": "pakken", "sv": "paketet", "da": "pakken", "sl": "paket"}
	for _, lang := range kb.Languages() {
		all, err := sys.KB.Search(ctx, kb.Anonymous, kb.Filter{Language: lang})
		if err != nil || len(all) != 4 {
			t.Errorf("%s: %d public articles, %v", lang, len(all), err)
		}
		hits, err := sys.KB.Search(ctx, kb.Anonymous, kb.Filter{Query: queries[lang], Language: lang})
		if err != nil || len(hits) == 0 {
			t.Errorf("%s: search %q: %v %v", lang, queries[lang], hits, err)
		}
	}
	agentView, err := sys.KB.Search(ctx, kb.Viewer{Actor: authz.System}, kb.Filter{Query: "goodwill"})
	if err != nil || len(agentView) != 1 {
		t.Fatalf("internal article for agents: %v %v", agentView, err)
	}
	if hits, _ := sys.KB.Search(ctx, kb.Anonymous, kb.Filter{Query: "goodwill"}); len(hits) != 0 {
		t.Fatalf("internal article public: %v", hits)
	}
}
