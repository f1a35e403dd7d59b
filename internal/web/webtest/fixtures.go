package webtest

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
)

// CreateTicket creates a high-priority email ticket from Ola tagged
// "shipping" over the API and returns its id.
func CreateTicket(t *testing.T, e *apptest.Env, subject string) int64 {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
		"subject": subject, "description": "Hello, my order is late.",
		"requester": map[string]any{"email": "ola@example.no", "name": "Ola"}, "priority": "high", "type": "question", "channel": "email",
		"tags": []string{"shipping"},
	})
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, body["_raw"])
	}
	return int64(body["id"].(float64))
}

// ReportFixture creates three tickets (two email, one phone), answers and
// solves one, and folds them into the report facts.
func ReportFixture(t *testing.T, e *apptest.Env) []int64 {
	t.Helper()
	var ids []int64
	for i, ch := range []string{"email", "email", "phone"} {
		st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
			"subject": "Report " + ch, "description": "Where is my parcel?", "channel": ch,
			"requester": map[string]any{"email": "kari@example.no", "name": "Kari Nordmann"}, "tags": []string{"shipping", []string{"a", "b", "c"}[i]},
		})
		if st != http.StatusCreated {
			t.Fatalf("create: %d %v", st, body["_raw"])
		}
		ids = append(ids, int64(body["id"].(float64)))
	}
	st, body := e.Do(t, authz.Agent, "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", ids[0]), map[string]any{"body": "On its way", "public": true, "status": "solved"})
	if st != http.StatusCreated {
		t.Fatalf("reply: %d %v", st, body["_raw"])
	}
	if _, err := e.Sys.Reports.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	return ids
}

// GetCSV reads a CSV export as the manager's API token, without the BOM.
func GetCSV(t *testing.T, e *apptest.Env, path string) [][]string {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.Tokens[authz.Manager])
	resp, err := e.Client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rows) > 0 && len(rows[0]) > 0 {
		rows[0][0] = strings.TrimPrefix(rows[0][0], "\uFEFF")
	}
	return rows
}

// Clock is a clock a test moves forward: real time plus an offset. Pass
// Now to apptest.NewWithClock.
type Clock struct {
	mu  sync.Mutex
	off time.Duration
}

// Now is the real time plus the offset.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return time.Now().Add(c.off) }

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) { c.mu.Lock(); c.off += d; c.mu.Unlock() }
