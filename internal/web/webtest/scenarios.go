package webtest

import (
	"net/url"
	"strings"
	"testing"
)

// PageCase is one request of a page scenario and what must come back.
type PageCase struct {
	Name     string
	Who      *Browser
	Method   string
	Path     string
	Form     url.Values
	Status   int
	Want     []string // must appear in the body
	NotWant  []string // must not
	Location string   // prefix of the redirect target, for 303s
}

// RunPages runs each case as a subtest, in order (cases build on each
// other's writes).
func RunPages(t *testing.T, cases []PageCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			st, body, loc := tc.Who.Do(t, tc.Method, tc.Path, tc.Form)
			if st != tc.Status {
				t.Fatalf("status %d, want %d\n%s", st, tc.Status, Excerpt(body))
			}
			if tc.Location != "" && !strings.HasPrefix(loc, tc.Location) {
				t.Fatalf("redirect to %q, want %q…", loc, tc.Location)
			}
			for _, w := range tc.Want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q\n%s", w, Excerpt(body))
				}
			}
			// Secrets typed into a form, and template slips, never show.
			for _, w := range append([]string{"s3cret", "<no value>"}, tc.NotWant...) {
				if strings.Contains(body, w) {
					t.Errorf("page contains %q", w)
				}
			}
		})
	}
}
