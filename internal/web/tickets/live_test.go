package tickets_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// sse is an open event stream.
type sse struct {
	events chan [2]string // kind, data
	cancel context.CancelFunc
}

// stream opens /live for a signed-in browser.
func stream(t *testing.T, b *webtest.Browser, base, query string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/live"+query, nil)
	resp, err := b.Client().Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		t.Fatalf("live: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{events: make(chan [2]string, 100), cancel: cancel}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		kind := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				s.events <- [2]string{kind, strings.TrimPrefix(line, "data: ")}
			}
		}
	}()
	t.Cleanup(cancel)
	return s
}

// next waits for an event of kind whose data contains want.
func (s *sse) next(t *testing.T, kind, want string) string {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev := <-s.events:
			if ev[0] == kind && strings.Contains(ev[1], want) {
				return ev[1]
			}
		case <-deadline:
			t.Fatalf("no %s event containing %q", kind, want)
		}
	}
}

func TestLiveUpdatesAndCollisions(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			id := webtest.CreateTicket(t, e, "Live one")
			alice := webtest.SignIn(t, e, authz.Agent)
			bob := webtest.SignIn(t, e, authz.Manager)

			list := stream(t, alice, e.URL, "")
			page := stream(t, alice, e.URL, fmt.Sprintf("?ticket=%d", id))
			page.next(t, "viewers", "[]")

			t.Run("a second agent on the ticket is seen, typing too", func(t *testing.T) {
				bs := stream(t, bob, e.URL, fmt.Sprintf("?ticket=%d", id))
				if got := bs.next(t, "viewers", "Test agent"); !strings.Contains(got, `"viewing"`) {
					t.Fatalf("bob sees %s", got)
				}
				page.next(t, "viewers", "Test manager")
				if st, _, _ := bob.Do(t, "POST", fmt.Sprintf("/tickets/%d/presence", id), url.Values{"state": {"typing"}}); st != 204 {
					t.Fatalf("presence: %d", st)
				}
				page.next(t, "viewers", `"typing"`)
				if st, _, _ := bob.Do(t, "POST", fmt.Sprintf("/tickets/%d/presence", id), url.Values{"state": {"dancing"}}); st != 400 {
					t.Fatalf("bad presence state: %d", st)
				}
			})

			// Alice opens the composer at the current version.
			_, html, _ := alice.Do(t, "GET", fmt.Sprintf("/tickets/%d", id), nil)
			version := regexpFind(t, html, `name="version" value="(\d+)"`)

			t.Run("a new comment reaches open pages and lists", func(t *testing.T) {
				if st, body := e.Do(t, authz.Manager, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), map[string]any{"body": "Manager answers first."}); st != 201 {
					t.Fatalf("comment: %d %v", st, body["_raw"])
				}
				var ev struct {
					TicketID int64    `json:"ticket_id"`
					Types    []string `json:"types"`
					Version  int64    `json:"version"`
				}
				if err := json.Unmarshal([]byte(page.next(t, "ticket", "comment_added")), &ev); err != nil || ev.TicketID != id {
					t.Fatalf("ticket event %+v (%v)", ev, err)
				}
				list.next(t, "ticket", fmt.Sprintf(`"ticket_id":%d`, id))
			})

			t.Run("a reply typed over someone else's is held with the draft", func(t *testing.T) {
				form := url.Values{"body": {"My late answer."}, "public": {"true"}, "version": {version}}
				st, body, _ := alice.Do(t, "POST", fmt.Sprintf("/tickets/%d/comments", id), form)
				if st != http.StatusConflict || !strings.Contains(body, "Test manager added to this ticket") || !strings.Contains(body, "My late answer.") {
					t.Fatalf("collision: %d %s", st, webtest.Excerpt(body))
				}
				fresh := regexpFind(t, body, `name="version" value="(\d+)"`)
				form.Set("version", fresh)
				if st, body, _ := alice.Do(t, "POST", fmt.Sprintf("/tickets/%d/comments", id), form); st != http.StatusSeeOther {
					t.Fatalf("second send: %d %s", st, webtest.Excerpt(body))
				}
				// An internal note never collides.
				note := url.Values{"body": {"Note."}, "public": {"false"}, "version": {version}}
				if st, _, _ := alice.Do(t, "POST", fmt.Sprintf("/tickets/%d/comments", id), note); st != http.StatusSeeOther {
					t.Fatalf("note: %d", st)
				}
			})
		})
	}
}

// TestLiveAcrossInstances has two instances share one PostgreSQL database:
// a change made on one reaches a page open on the other.
func TestLiveAcrossInstances(t *testing.T) {
	e := apptest.New(t, db.Postgres)
	ctx, cancel := context.WithCancel(context.Background())
	sys2, err := app.Open(ctx, e.Sys.Config, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := sys2.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv2 := httptest.NewServer(h2)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = e.Sys.Live.Connect(ctx, e.Sys.DB) }()
	go func() { defer wg.Done(); _ = sys2.Live.Connect(ctx, sys2.DB) }()
	t.Cleanup(func() { sys2.Live.Shutdown(); srv2.Close(); cancel(); wg.Wait(); sys2.Close() })
	time.Sleep(300 * time.Millisecond) // both listening

	id := webtest.CreateTicket(t, e, "Across")
	other := &apptest.Env{Sys: sys2, URL: srv2.URL, Client: srv2.Client()}
	b := webtest.SignIn(t, other, authz.Agent)
	page := stream(t, b, srv2.URL, fmt.Sprintf("?ticket=%d", id))
	page.next(t, "viewers", "[]")
	if st, _ := e.Do(t, authz.Manager, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), map[string]any{"body": "From instance one."}); st != 201 {
		t.Fatalf("comment: %d", st)
	}
	page.next(t, "ticket", "comment_added")
}

func regexpFind(t *testing.T, s, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("%s not found in %s", pattern, webtest.Excerpt(s))
	}
	return m[1]
}
