package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/report"
)

// TestDemoDashboards: the demo a new user starts gives a believable
// manager dashboard — business-hour times below calendar ones, SLA
// attainment per target and goals with a status.
func TestDemoDashboards(t *testing.T) {
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
	t.Run("conversations", func(t *testing.T) { checkDemoConversations(t, sys) })
	for {
		n, err := sys.Reports.Refresh(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
	}
	now := time.Now()
	f := report.Filter{From: now.AddDate(0, 0, -60), To: now}
	fig, err := sys.Reports.Figures(ctx, authz.System, f)
	if err != nil {
		t.Fatal(err)
	}
	if fig.Created < 500 || fig.Solved < 400 {
		t.Errorf("created %d solved %d in 60 days", fig.Created, fig.Solved)
	}
	if fig.FirstReplyMed == nil || fig.FirstReplyMedBH == nil || *fig.FirstReplyMedBH >= *fig.FirstReplyMed {
		t.Errorf("first reply median %v, business %v: business hours should count less", fig.FirstReplyMed, fig.FirstReplyMedBH)
	}
	if fig.SLAAttainment == nil || *fig.SLAAttainment < 0.5 || *fig.SLAAttainment > 0.999 || len(fig.SLA) < 3 {
		t.Errorf("SLA attainment %v per target %v", fig.SLAAttainment, fig.SLA)
	}
	goals, err := sys.Reports.GoalStatus(ctx, authz.System, f)
	if err != nil {
		t.Fatal(err)
	}
	if len(goals) != 4 {
		t.Fatalf("%d goals, want the demo's 4", len(goals))
	}
	for _, g := range goals {
		if g.Value == nil || g.Met == nil {
			t.Errorf("goal %s has no value", g.Goal.Metric)
		}
	}
}

// checkDemoConversations reads the imported demo back from the database:
// every ticket has a contact reason, names no order number but the one in
// its order number field, has no agent text twice, and its agents' public
// replies greet the requester by first name and carry the author's name
// (chat replies have no signature).
func checkDemoConversations(t *testing.T, sys *app.System) {
	ctx := context.Background()
	rows, err := sys.DB.QueryContext(ctx, `SELECT t.id, t.channel, t.custom_fields, cu.name, c.author_type, COALESCE(a.name, ''), c.public, c.body
		FROM tickets t JOIN customers cu ON cu.id = t.requester_id JOIN comments c ON c.ticket_id = t.id
		LEFT JOIN agents a ON c.author_type = 'agent' AND a.id = c.author_id
		ORDER BY t.id, c.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	orderRE := regexp.MustCompile(`\b\d{6}\b`)
	var (
		cur     int64
		tickets int
		seen    map[string]bool
		fields  map[string]any
	)
	for rows.Next() {
		var (
			id                                    int64
			channel, cf, requester, author, agent string
			public                                bool
			body                                  string
		)
		if err := rows.Scan(&id, &channel, &cf, &requester, &author, &agent, &public, &body); err != nil {
			t.Fatal(err)
		}
		if id != cur {
			cur, seen, tickets = id, map[string]bool{}, tickets+1
			fields = nil
			if err := json.Unmarshal([]byte(cf), &fields); err != nil {
				t.Fatalf("ticket %d: custom fields %q: %v", id, cf, err)
			}
			if r, _ := fields["contact_reason"].(string); r == "" {
				t.Fatalf("ticket %d: no contact reason in %v", id, fields)
			}
		}
		order, _ := fields["order_number"].(string)
		for _, m := range orderRE.FindAllString(body, -1) {
			if m != order {
				t.Fatalf("ticket %d (order field %q) names order %s:\n%s", id, order, m, body)
			}
		}
		if author != "agent" {
			continue
		}
		if seen[body] {
			t.Fatalf("ticket %d: an agent wrote the same text twice:\n%s", id, body)
		}
		seen[body] = true
		first, _, _ := strings.Cut(requester, " ")
		if public && (!strings.Contains(body, first) || (channel != "chat" && !strings.Contains(body, agent))) {
			t.Fatalf("ticket %d: reply by %s to %s:\n%s", id, agent, requester, body)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if tickets != 3000 {
		t.Fatalf("%d demo tickets with messages", tickets)
	}
}
