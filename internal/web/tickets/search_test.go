package tickets_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestSearchBox: the header's suggestions (GET /search/suggest) offer
// tickets and customers for a number, a name or a phone being typed; a
// query the parser cannot read is explained in the agent's language with a
// hint (in English with field "q" on the API); relative dates are read in
// the agent's zone in the UI and in ?tz= on the API.
func TestSearchBox(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			// Sessions follow the clock and cookies real time, so the test
			// days lie ahead of today: a ticket at 23:30 UTC is created the
			// next day in Oslo (00:30 or 01:30), and read at 10:00 UTC the
			// day after, it is from today in Oslo but from yesterday in UTC.
			day := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 7)
			var mu sync.Mutex
			now := day.Add(23*time.Hour + 30*time.Minute)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			set := func(t time.Time) { mu.Lock(); defer mu.Unlock(); now = t }
			e := apptest.NewWithClock(t, engine, clock, nil)
			if _, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agent.AgentInput{Email: "nora@ombud.test", Name: "Nora",
				Role: authz.Agent, Locale: "nb", TimeZone: "Europe/Oslo", Password: apptest.Password}); err != nil {
				t.Fatal(err)
			}
			st, body := e.Do(t, authz.Agent, "POST", "/api/v1/customers", map[string]any{
				"name": "Kari Bakken", "emails": []string{"kari@fjordkraft.no"}, "phones": []string{"+47 912 34 567"}})
			if st != http.StatusCreated {
				t.Fatalf("customer: %d %v", st, body["_raw"])
			}
			kari := int64(body["id"].(float64))
			create := func(subject string) int64 {
				st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
					"subject": subject, "description": "Hei", "requester_id": kari})
				if st != http.StatusCreated {
					t.Fatalf("ticket: %d %v", st, body["_raw"])
				}
				return int64(body["id"].(float64))
			}
			first := create("Strømregning for februar")
			set(day.AddDate(0, 0, 1).Add(10 * time.Hour))
			nora := webtest.SignInEmail(t, e, "nora@ombud.test")

			type suggestion struct {
				Tickets []struct {
					ID          int64  `json:"id"`
					Subject     string `json:"subject"`
					StatusLabel string `json:"status_label"`
				} `json:"tickets"`
				Customers []struct {
					ID    int64  `json:"id"`
					Name  string `json:"name"`
					Email string `json:"email"`
				} `json:"customers"`
				Error string `json:"error"`
			}
			suggest := func(t *testing.T, q string) suggestion {
				t.Helper()
				st, raw, _ := nora.Do(t, "GET", "/search/suggest?q="+url.QueryEscape(q), nil)
				if st != http.StatusOK {
					t.Fatalf("suggest %q: status %d %s", q, st, raw)
				}
				var s suggestion
				if err := json.Unmarshal([]byte(raw), &s); err != nil {
					t.Fatalf("suggest %q: %v in %s", q, err, raw)
				}
				return s
			}
			for _, q := range []string{fmt.Sprint(first), "#" + fmt.Sprint(first), "Kari Bak", "+47 912 34 567", "91234567", "strøm"} {
				t.Run("suggest "+q, func(t *testing.T) {
					s := suggest(t, q)
					if len(s.Tickets) != 1 || s.Tickets[0].ID != first || s.Tickets[0].Subject != "Strømregning for februar" || s.Tickets[0].StatusLabel != "Ny" {
						t.Errorf("tickets %+v", s.Tickets)
					}
					if q != "strøm" && !strings.HasPrefix(q, "#") && q != fmt.Sprint(first) &&
						(len(s.Customers) != 1 || s.Customers[0].ID != kari || s.Customers[0].Email != "kari@fjordkraft.no") {
						t.Errorf("customers %+v", s.Customers)
					}
				})
			}
			t.Run("the box's listbox in the agent's language", func(t *testing.T) {
				_, page, _ := nora.Do(t, "GET", "/tickets", nil)
				for _, want := range []string{`<ul id="search-suggest" class="suggest-list" role="listbox" aria-label="Forslag" hidden`,
					`data-tickets="Saker"`, `data-customers="Kunder"`, `data-all="Søk i alle saker etter «%s»"`, `/search.js"`} {
					if !strings.Contains(page, want) {
						t.Errorf("page lacks %q", want)
					}
				}
			})
			t.Run("suggest while a query is wrong", func(t *testing.T) {
				s := suggest(t, "colour:red")
				if s.Error != "Ukjent felt 'colour' (på posisjon 1). Prøv status:, tag:, assignee:, requester:, created>…" || len(s.Tickets) != 0 {
					t.Errorf("%+v", s)
				}
			})
			t.Run("suggest refuses unknown parameters", func(t *testing.T) {
				if st, _, _ := nora.Do(t, "GET", "/search/suggest?q=x&limit=50", nil); st != http.StatusBadRequest {
					t.Errorf("status %d", st)
				}
			})
			for _, tt := range []struct{ q, want string }{
				{"colour:red", "Ukjent felt 'colour' (på posisjon 1). Prøv status:, tag:, assignee:, requester:, created>…"},
				{"refund stauts:open", "Ukjent felt 'stauts' (på posisjon 8). Mente du status:?"},
				{"created:7d", "created:7d er en alder; bruk created>7d for de siste 7d eller created<7d for tiden før"},
				{"field.colour:red", `ukjent egendefinert felt "colour"`},
			} {
				t.Run("list error "+tt.q, func(t *testing.T) {
					st, page, _ := nora.Do(t, "GET", "/tickets?q="+url.QueryEscape(tt.q), nil)
					if st != http.StatusBadRequest || !strings.Contains(page, `<p class="error" role="alert">`+html.EscapeString(tt.want)+`</p>`) {
						t.Errorf("status %d, want %q in\n%s", st, tt.want, webtest.Excerpt(page))
					}
				})
			}
			t.Run("api error in English", func(t *testing.T) {
				st, body := e.Do(t, authz.Agent, "GET", "/api/v1/search?q=colour:red", nil)
				f, _ := body["error"].(map[string]any)["fields"].(map[string]any)
				if st != http.StatusBadRequest || f["q"] != "Unknown field 'colour' (at position 1). Try status:, tag:, assignee:, requester:, created>…" {
					t.Errorf("status %d %v", st, body["_raw"])
				}
			})
			// The ticket is from today for Nora in Oslo but from yesterday in UTC.
			t.Run("relative dates in the agent's zone", func(t *testing.T) {
				_, page, _ := nora.Do(t, "GET", "/tickets?q="+url.QueryEscape("created:today"), nil)
				if !strings.Contains(page, html.EscapeString("Strømregning for februar")) {
					t.Errorf("created:today in Oslo misses the ticket\n%s", webtest.Excerpt(page))
				}
				for tz, want := range map[string]int{"": 0, "UTC": 0, "Europe/Oslo": 1} {
					path := "/api/v1/search?q=created:today"
					if tz != "" {
						path += "&tz=" + url.QueryEscape(tz)
					}
					st, body := e.Do(t, authz.Agent, "GET", path, nil)
					if data, _ := body["data"].([]any); st != http.StatusOK || len(data) != want {
						t.Errorf("tz %q: status %d, %d tickets, want %d", tz, st, len(data), want)
					}
				}
				// Without ?tz= the API reads dates in the agent's own zone
				// (read only when the query has a date term).
				for q, want := range map[string]int{"created:today": 1, "strømregning created:today": 1, "strømregning": 1, "created:yesterday": 0} {
					st, raw, _ := nora.Do(t, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
					var body struct {
						Data []map[string]any `json:"data"`
					}
					if err := json.Unmarshal([]byte(raw), &body); st != http.StatusOK || err != nil || len(body.Data) != want {
						t.Errorf("%q as Nora (Oslo): status %d, %d tickets, want %d: %s", q, st, len(body.Data), want, raw)
					}
				}
				if st, body := e.Do(t, authz.Agent, "GET", "/api/v1/search?q=x&tz=Mars/Base", nil); st != http.StatusBadRequest || !strings.Contains(fmt.Sprint(body["_raw"]), `"tz"`) {
					t.Errorf("bad tz: %d %v", st, body["_raw"])
				}
			})
			// A saved view with a relative date is counted again as time
			// passes, though no ticket changed.
			t.Run("relative view counts", func(t *testing.T) {
				st, body := e.Do(t, authz.Manager, "POST", "/api/v1/views", map[string]any{"name": "Siste time", "query": "created>1h", "shared": true})
				if st != http.StatusCreated {
					t.Fatalf("view: %d %v", st, body["_raw"])
				}
				count := func() string {
					t.Helper()
					_, page, _ := nora.Do(t, "GET", "/tickets", nil)
					m := regexp.MustCompile(`Siste time <span class="count"[^>]*>([^<]+)</span>`).FindStringSubmatch(page)
					if m == nil {
						t.Fatalf("no count for the view in\n%s", webtest.Excerpt(page))
					}
					return m[1]
				}
				if n := count(); n != "0" {
					t.Fatalf("before: %s", n)
				}
				create("Ny sak nå")
				if n := count(); n != "1" {
					t.Fatalf("after a new ticket: %s", n)
				}
				set(clock().Add(2 * time.Hour))
				if n := count(); n != "0" {
					t.Fatalf("two hours later: %s", n)
				}
			})
		})
	}
}
