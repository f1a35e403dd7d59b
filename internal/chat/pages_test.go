package chat_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMatchURL(t *testing.T) {
	tests := []struct {
		pattern, href string
		want          bool
	}{
		{"", "https://shop.example/anything", true},
		{"/shop/*", "https://shop.example/shop/shoes", true},
		{"/shop/*", "https://shop.example/shop/", true},
		{"/shop/*", "https://shop.example/shop", false},
		{"/shop/*", "https://shop.example/about", false},
		{"/shop/*", "https://shop.example/blog/shop/x", false},
		{"/shop*", "https://shop.example/shop?id=4#top", true},
		{"/cart", "https://shop.example/cart?step=2", true},
		{"/cart?step=2", "https://shop.example/cart?step=2", true},
		{"/cart?step=2", "https://shop.example/cart?step=3", false},
		{"/", "https://shop.example", true},
		{"/a.b", "https://shop.example/axb", false},
		{"https://shop.example/*", "https://shop.example/x/y", true},
		{"https://shop.example/*", "https://evil.example/?https://shop.example/", false},
		{"*checkout*", "https://shop.example/eu/checkout/pay", true},
	}
	for _, tt := range tests {
		if got := chat.MatchURL(tt.pattern, tt.href); got != tt.want {
			t.Errorf("MatchURL(%q, %q) = %v, want %v", tt.pattern, tt.href, got, tt.want)
		}
	}
}

func TestPageRulesShown(t *testing.T) {
	p := chat.PageRules{ShowOn: []string{"/shop/*", "/help*"}, HideOn: []string{"/shop/checkout*"}}
	for href, want := range map[string]bool{
		"https://s.example/shop/shoes":      true,
		"https://s.example/help":            true,
		"https://s.example/shop/checkout/2": false,
		"https://s.example/":                false,
	} {
		if got := p.Shown(href); got != want {
			t.Errorf("Shown(%q) = %v, want %v", href, got, want)
		}
	}
	if !(chat.PageRules{}).Shown("https://s.example/x") || (chat.PageRules{HideOn: []string{"/x"}}).Shown("https://s.example/x") {
		t.Error("empty show list: every page but the hidden ones")
	}
}

func TestPutPageRules(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		if _, err := e.svc.PutPageRules(ctx, e.a, chat.PageRules{ShowOn: []string{"/shop/*"}}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent changed the pages: %v", err)
		}
		_, err := e.svc.PutPageRules(ctx, admin(e), chat.PageRules{ShowOn: []string{"/shop/ x"}})
		if ae := apperr.As(err); ae.Code != apperr.CodeInvalid || ae.Fields["show_on"] == "" {
			t.Fatalf("bad pattern: %v", err)
		}
		long := make([]string, chat.MaxPagePatterns+1)
		for i := range long {
			long[i] = "/p"
		}
		if _, err := e.svc.PutPageRules(ctx, admin(e), chat.PageRules{HideOn: long}); apperr.As(err).Fields["hide_on"] == "" {
			t.Fatalf("too many patterns: %v", err)
		}
		if _, err := e.svc.PutPageRules(ctx, admin(e), chat.PageRules{ShowOn: []string{" /shop/* ", ""}, HideOn: []string{"/shop/checkout*"}}); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.PageRulesFor(ctx, admin(e))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.ShowOn) != 1 || got.ShowOn[0] != "/shop/*" || len(got.HideOn) != 1 {
			t.Fatalf("stored %+v", got)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'chat.pages'`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("audit rows %d %v", n, err)
		}
		// A chat can't start from a page the widget is hidden on.
		_, err = e.svc.Start(ctx, chat.StartInput{Email: "kari@kunde.example", Topic: "Hi", Page: "https://shop.example/about"})
		if ae := apperr.As(err); ae.Code != apperr.CodeConflict {
			t.Fatalf("start on a hidden page: %v", err)
		}
		if _, err := e.svc.Start(ctx, chat.StartInput{Email: "kari@kunde.example", Topic: "Hi", Page: "https://shop.example/shop/shoes"}); err != nil {
			t.Fatal(err)
		}
	})
}
