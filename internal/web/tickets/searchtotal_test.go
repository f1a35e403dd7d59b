package tickets_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestSearchTotal: a text search tells how many tickets it found, in the
// API (total, total_estimated only for estimates) and above the results
// page; a field-only search tells no total.
func TestSearchTotal(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			webtest.CreateTicket(t, e, "Parcel one")
			webtest.CreateTicket(t, e, "Parcel two")
			webtest.CreateTicket(t, e, "Invoice")
			cases := []struct {
				q, page string
				total   any // float64 from JSON, or nil
			}{
				{"parcel", "2 tickets found", 2.0},
				{"invoice", "1 ticket found", 1.0},
				{"nothingmatches", "0 tickets found", 0.0},
				{"tag:shipping", "", nil},
			}
			for _, c := range cases {
				st, body := e.Do(t, authz.Agent, "GET", "/api/v1/search?q="+c.q, nil)
				if st != http.StatusOK {
					t.Fatalf("%s: %d", c.q, st)
				}
				if body["total"] != c.total || body["total_estimated"] != nil {
					t.Errorf("%s: total %v estimated %v, want %v", c.q, body["total"], body["total_estimated"], c.total)
				}
				html := webtest.GetPage(t, e, authz.Agent, "/tickets?q="+c.q)
				if got := strings.Contains(html, `class="search-total"`); got != (c.page != "") || c.page != "" && !strings.Contains(html, c.page) {
					t.Errorf("%s: page lacks %q", c.q, c.page)
				}
			}
		})
	}
}
