package ui

import (
	"html/template"
	"testing"

	"github.com/ombud/ombud/internal/i18n"
)

// TestTranslateArgs: the template func t escapes text arguments and keeps
// numbers as numbers, so a catalog's %d reads "Bad (3)", not
// "%!d(string=3)".
func TestTranslateArgs(t *testing.T) {
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	u := &UI{i18n: tr}
	cases := []struct {
		key  string
		args []any
		want template.HTML
	}{
		{"Bad (%d)", []any{3}, "Bad (3)"},
		{"Bad (%d)", []any{int64(12)}, "Bad (12)"},
		{"Select ticket %s", []any{"<b>"}, "Select ticket &lt;b&gt;"},
		{"Select ticket %s", []any{7}, "Select ticket 7"},
	}
	for _, c := range cases {
		if got := u.translate("en", c.key, c.args...); got != c.want {
			t.Errorf("t %q %v = %q, want %q", c.key, c.args, got, c.want)
		}
	}
}
