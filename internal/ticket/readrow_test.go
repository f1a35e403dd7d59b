package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
)

// TestReadRowsMatchReference reads tickets whose texts hold separators,
// digits, multi-byte letters, empty strings and (on SQLite) a NUL, with
// every nullable column both NULL and set, and the kept copies both kept
// and absent: Get and a list page (readScanner) must equal the write
// path's typed read of the same row (ReadRef).
func TestReadRowsMatchReference(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		nul := "nul"
		if d.Dialect() == db.SQLite {
			nul = "a\x00b:3,4" // PostgreSQL's text holds no NUL
		}
		cases := []struct {
			name string
			sql  string // run on the ticket's row, ? its id
			args []any
		}{
			{"plain", ``, nil},
			{"separators in the subject", `UPDATE tickets SET subject = ? WHERE id = ?`, []any{"12:ab,3:,:,,::"}},
			{"empty subject and language", `UPDATE tickets SET subject = '', language = '' WHERE id = ?`, nil},
			{"multi-byte letters", `UPDATE tickets SET subject = ?, language = 'nb' WHERE id = ?`, []any{"Ærlig talt: Åse 😀 €5,–"}},
			{"nul", `UPDATE tickets SET subject = ? WHERE id = ?`, []any{nul}},
			{"every nullable set", `UPDATE tickets SET organization_id = (SELECT MAX(id) FROM organizations), assignee_id = ?, team_id = ?, merged_into_id = (SELECT MIN(id) FROM tickets), solved_at = 1700000000123, closed_at = 1700000000456, external_id = 'ext:1,2' WHERE id = ?`, []any{f.agent.ID, f.team}},
			{"custom fields", `UPDATE tickets SET custom_fields = ? WHERE id = ?`, []any{`{"order_no":"A:1,2","n":3}`}},
			{"copies not kept", `UPDATE tickets SET requester_name = NULL, requester_email = NULL, tag_list = NULL, follower_list = NULL WHERE id = ?`, nil},
			{"requester with an empty name", `UPDATE tickets SET requester_name = '', requester_email = '' WHERE id = ?`, nil},
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO organizations (name, created_at, updated_at) VALUES ('Read, Inc.', 1, 1)`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i, c := range cases {
			tk := newTicket(t, f, "Read "+c.name, func(in *ticket.CreateInput) {
				if i%2 == 0 {
					in.Tags = []string{"zeta", "alpha", "ålesund"}
					in.FollowerIDs = []int64{f.other.ID, f.agent.ID}
				}
			})
			ids = append(ids, tk.ID)
			if c.sql == "" {
				continue
			}
			err = d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, c.sql, append(c.args, tk.ID)...)
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		l, err := f.svc.List(ctx, f.agent, ticket.Filter{Sort: "id_asc"}, page.Request{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Data) != len(ids) {
			t.Fatalf("list of %d, want %d", len(l.Data), len(ids))
		}
		for i, c := range cases {
			want, err := f.svc.ReadRef(ctx, ids[i])
			if err != nil {
				t.Fatalf("%s: reference: %v", c.name, err)
			}
			got, err := f.svc.Get(ctx, f.agent, ids[i])
			if err != nil {
				t.Fatalf("%s: get: %v", c.name, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: get (-reference +read):\n%s", c.name, diff)
			}
			if diff := cmp.Diff(want, l.Data[i]); diff != "" {
				t.Errorf("%s: list row (-reference +read):\n%s", c.name, diff)
			}
		}
		if d.Dialect() == db.SQLite {
			tk, _ := f.svc.Get(ctx, f.agent, ids[4])
			if tk.Subject != nul {
				t.Errorf("subject with a NUL read as %q", tk.Subject)
			}
		}
	})
}

// TestReadEnums: every listed status, priority, type and channel, and on
// SQLite values outside the lists (the schema's CHECKs set aside), read
// back through Get and a list page as the write path reads them.
func TestReadEnums(t *testing.T) {
	var statuses []string
	for _, s := range ticket.Statuses {
		statuses = append(statuses, string(s))
	}
	odd := []string{"", "a", "b;1:x", "12:ab,3:", "zz", "ø"}
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		tk := newTicket(t, f, "Enums", func(in *ticket.CreateInput) { in.Tags = []string{"enum"} })
		for _, c := range []struct {
			col  string
			vals []string
		}{
			{"status", statuses},
			{"priority", ticket.Priorities},
			{"type", ticket.Types},
			{"channel", ticket.Channels},
		} {
			vals := slices.Clone(c.vals)
			if d.Dialect() == db.SQLite {
				vals = append(vals, odd...)
			}
			for _, v := range vals {
				t.Run(fmt.Sprintf("%s=%q", c.col, v), func(t *testing.T) {
					listed := slices.Contains(c.vals, v)
					err := d.Write(ctx, func(tx *db.Tx) error {
						if !listed {
							// SQLite applies the pragma when it prepares it,
							// and the writer keeps statements by their text:
							// each case's texts are its own (the comment, the
							// literal), so each is prepared after the last.
							tag := fmt.Sprintf(" -- %s %q", c.col, v)
							if _, err := tx.ExecContext(ctx, `PRAGMA ignore_check_constraints = ON`+tag); err != nil {
								return err
							}
							defer func() { _, _ = tx.ExecContext(ctx, `PRAGMA ignore_check_constraints = OFF`+tag) }()
						}
						_, err := tx.ExecContext(ctx, `UPDATE tickets SET `+c.col+` = '`+strings.ReplaceAll(v, "'", "''")+`' WHERE id = ?`, tk.ID)
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
					want, err := f.svc.ReadRef(ctx, tk.ID)
					if err != nil {
						t.Fatal(err)
					}
					got, err := f.svc.Get(ctx, f.agent, tk.ID)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("get (-reference +read):\n%s", diff)
					}
					l, err := f.svc.List(ctx, f.agent, ticket.Filter{Tags: []string{"enum"}}, page.Request{Limit: 10})
					if err != nil {
						t.Fatal(err)
					}
					if len(l.Data) != 1 {
						t.Fatalf("list of %d", len(l.Data))
					}
					if diff := cmp.Diff(want, l.Data[0]); diff != "" {
						t.Errorf("list row (-reference +read):\n%s", diff)
					}
				})
			}
		}
	})
}

// TestListedTicketsShareNothing: a page's requesters, tags, followers,
// nullable ids and times are carved from shared allocations
// (readScanner.carve); an append to one ticket's list, or a write through
// one ticket's pointer, must never change another ticket.
func TestListedTicketsShareNothing(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		ctx := context.Background()
		for i := range 4 {
			newTicket(t, f, "Carved", func(in *ticket.CreateInput) {
				in.Tags = []string{"alpha", "beta", "gamma"}[:1+i%3]
				in.FollowerIDs = []int64{f.agent.ID, f.other.ID}[:1+i%2]
				in.AssigneeID = &f.agent.ID
				in.TeamID = &f.team
			})
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE tickets SET solved_at = 1700000000123, closed_at = 1700000000456`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		l, err := f.svc.List(ctx, f.agent, ticket.Filter{Sort: "id_asc"}, page.Request{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Data) != 4 {
			t.Fatalf("list of %d", len(l.Data))
		}
		clone := func(tk ticket.Ticket) ticket.Ticket {
			c := tk
			c.Tags = slices.Clone(tk.Tags)
			c.FollowerIDs = slices.Clone(tk.FollowerIDs)
			for _, p := range []**int64{&c.OrganizationID, &c.AssigneeID, &c.TeamID, &c.MergedIntoID} {
				if *p != nil {
					v := **p
					*p = &v
				}
			}
			for _, p := range []**time.Time{&c.SolvedAt, &c.ClosedAt} {
				if *p != nil {
					v := **p
					*p = &v
				}
			}
			if c.Requester != nil {
				r := *c.Requester
				c.Requester = &r
			}
			return c
		}
		for i := range l.Data {
			want := make([]ticket.Ticket, len(l.Data))
			for j, tk := range l.Data {
				want[j] = clone(tk)
			}
			tk := &l.Data[i]
			tk.Tags = append(tk.Tags, "appended")
			tk.FollowerIDs = append(tk.FollowerIDs, -1)
			*tk.AssigneeID, *tk.TeamID = -1, -2
			*tk.SolvedAt, *tk.ClosedAt = time.Time{}, time.Time{}
			tk.Requester.Name = "changed"
			for j := range l.Data {
				if j == i {
					continue
				}
				if diff := cmp.Diff(want[j], l.Data[j]); diff != "" {
					t.Errorf("changing ticket %d changed ticket %d:\n%s", i, j, diff)
				}
			}
		}
	})
}
