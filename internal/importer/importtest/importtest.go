// Package importtest describes what an import left in the database as
// text, so the tests of the export readers (zendesk, freshdesk) compare
// whole tickets — fields, people and every comment in order — at once.
package importtest

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// Snapshot describes every ticket whose external id starts with prefix,
// keyed by external id: its fields, requester, organization, assignee,
// team, tags and custom fields, then one line per comment (time,
// public/note, author, first line of the body), then its status changes.
func Snapshot(t testing.TB, d *db.DB, tickets *ticket.Service, prefix string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	rows, err := d.QueryContext(ctx, `SELECT id, external_id FROM tickets WHERE external_id LIKE ? ORDER BY id`, prefix+"%")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for rows.Next() {
		var id int64
		var ext string
		if err := rows.Scan(&id, &ext); err != nil {
			t.Fatal(err)
		}
		ids[ext] = id
	}
	rows.Close()
	out := map[string][]string{}
	for ext, id := range ids {
		tk, err := tickets.Get(ctx, authz.System, id)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		lines = append(lines, fmt.Sprintf("%s | %s %s %s %s | created %s", tk.Subject, tk.Status, tk.Priority, tk.Type, tk.Channel, ts(tk.CreatedAt)))
		lines = append(lines, fmt.Sprintf("requester %s, organization %s, assignee %s, team %s",
			name(t, d, `SELECT value FROM customer_identities WHERE customer_id = ? AND type = 'email' ORDER BY id LIMIT 1`, tk.RequesterID),
			name(t, d, `SELECT name FROM organizations WHERE id = ?`, deref(tk.OrganizationID)),
			name(t, d, `SELECT email FROM agents WHERE id = ?`, deref(tk.AssigneeID)),
			name(t, d, `SELECT name FROM teams WHERE id = ?`, deref(tk.TeamID))))
		keys := make([]string, 0, len(tk.CustomFields))
		for k := range tk.CustomFields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var fields []string
		for _, k := range keys {
			fields = append(fields, fmt.Sprintf("%s=%v", k, tk.CustomFields[k]))
		}
		lines = append(lines, "tags "+strings.Join(tk.Tags, " ")+"; fields "+strings.Join(fields, " "))
		cs, err := tickets.ListComments(ctx, authz.System, id, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs.Data {
			vis := "public"
			if !c.Public {
				vis = "note"
			}
			who := c.AuthorType
			switch c.AuthorType {
			case "agent":
				who += ":" + name(t, d, `SELECT email FROM agents WHERE id = ?`, c.AuthorID)
			case "customer":
				who += ":" + name(t, d, `SELECT value FROM customer_identities WHERE customer_id = ? AND type = 'email' ORDER BY id LIMIT 1`, c.AuthorID)
			}
			body, _, _ := strings.Cut(c.Body, "\n")
			if _, files, ok := strings.Cut(c.Body, "\nAttachments:\n"); ok {
				body += " [" + strings.ReplaceAll(files, "\n", "; ") + "]"
			}
			lines = append(lines, fmt.Sprintf("%s %s %s: %s", ts(c.CreatedAt), vis, who, body))
		}
		evs, err := tickets.ListEvents(ctx, authz.System, id, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs.Data {
			if e.Type == "status_changed" {
				lines = append(lines, fmt.Sprintf("%s status %v → %v", ts(e.At), e.Data["from"], e.Data["to"]))
			}
		}
		out[ext] = lines
	}
	return out
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func name(t testing.TB, d *db.DB, q string, id int64) string {
	t.Helper()
	if id == 0 {
		return "-"
	}
	var s string
	err := d.QueryRowContext(context.Background(), q, id).Scan(&s)
	if err == sql.ErrNoRows {
		return "?"
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}
