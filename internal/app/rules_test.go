package app_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestTriggerOnSLABreach wires SLA, sweep and triggers together: a breach
// found by the sweep is a ticket event, and a trigger acts on it.
func TestTriggerOnSLABreach(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); _ = e.Sys.Jobs.Run(ctx) }()
			defer func() { cancel(); wg.Wait() }()

			if st, b := e.Do(t, authz.Admin, "POST", "/api/v1/sla-policies", `{"name":"Fast","targets":{"normal":{"first_reply":"1m","business_hours":false}}}`); st != 201 {
				t.Fatalf("policy: %d %v", st, b["_raw"])
			}
			if st, b := e.Do(t, authz.Admin, "POST", "/api/v1/triggers", map[string]any{
				"name":       "Escalate breaches",
				"conditions": map[string]any{"all": []any{map[string]any{"field": "event", "op": "is", "value": "sla_breached"}}},
				"actions":    []any{map[string]any{"type": "set_priority", "value": "urgent"}, map[string]any{"type": "add_tags", "value": []string{"sla-breached"}}},
			}); st != 201 {
				t.Fatalf("trigger: %d %v", st, b["_raw"])
			}
			st, tk := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{"subject": "Slow", "description": "Hello?",
				"requester": map[string]any{"email": "kari@example.no"}, "priority": "normal"})
			if st != 201 {
				t.Fatalf("ticket: %d %v", st, tk["_raw"])
			}
			id := int64(tk["id"].(float64))
			_, clocks := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/sla", id), nil)
			if !strings.Contains(clocks["_raw"].(string), "first_reply") {
				t.Fatalf("no first-reply clock: %v", clocks["_raw"])
			}
			if _, err := e.Sys.SLA.Sweep(ctx, time.Now().Add(2*time.Minute)); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(15 * time.Second)
			for {
				_, got := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
				if got["priority"] == "urgent" && strings.Contains(fmt.Sprint(got["tags"]), "sla-breached") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the trigger did not act on the breach: %v", got["_raw"])
				}
				time.Sleep(50 * time.Millisecond)
			}
			_, ev := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/events", id), nil)
			if !strings.Contains(ev["_raw"].(string), `"sla_breached"`) {
				t.Fatalf("no sla_breached event: %v", ev["_raw"])
			}
		})
	}
}
