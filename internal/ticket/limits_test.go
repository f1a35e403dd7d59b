package ticket_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/ticket"
)

func words(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("w%d", i)
	}
	return out
}

func numbers(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

func values(n int) map[string]any {
	out := make(map[string]any, n)
	for i := range n {
		out[fmt.Sprintf("f%d", i)] = "x"
	}
	return out
}

// TestListLimits: every list a ticket request carries is refused past its
// limit, naming the field, before the database is touched (the calls get a
// cancelled context: any query would fail with an internal error instead).
func TestListLimits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		done, cancel := context.WithCancel(context.Background())
		cancel()
		admin := authz.Actor{Kind: authz.KindAgent, ID: f.agent.ID, Role: authz.Admin}
		valid := func() ticket.CreateInput {
			return ticket.CreateInput{Subject: "Limits", Description: "Hello", Requester: &ticket.RequesterInput{Email: "kari@example.no"}}
		}
		tags, follow := words(ticket.MaxTags+1), numbers(ticket.MaxFollowers+1)
		tests := []struct {
			name  string
			call  func() error
			field string
			limit int
		}{
			{"create tags", func() error {
				in := valid()
				in.Tags = words(10_001)
				_, err := f.svc.Create(done, f.agent, in)
				return err
			}, "tags", ticket.MaxTags},
			{"create followers", func() error {
				in := valid()
				in.FollowerIDs = follow
				_, err := f.svc.Create(done, f.agent, in)
				return err
			}, "follower_ids", ticket.MaxFollowers},
			{"create custom fields", func() error {
				in := valid()
				in.CustomFields = values(ticket.MaxFieldValues + 1)
				_, err := f.svc.Create(done, f.agent, in)
				return err
			}, "custom_fields", ticket.MaxFieldValues},
			{"create attachments", func() error {
				in := valid()
				in.AttachmentIDs = numbers(ticket.MaxAttachments + 1)
				_, err := f.svc.Create(done, f.agent, in)
				return err
			}, "attachment_ids", ticket.MaxAttachments},
			{"update tags", func() error {
				_, err := f.svc.Update(done, f.agent, 1, ticket.Patch{Tags: &tags})
				return err
			}, "tags", ticket.MaxTags},
			{"update add tags", func() error {
				_, err := f.svc.Update(done, f.agent, 1, ticket.Patch{AddTags: tags})
				return err
			}, "add_tags", ticket.MaxTags},
			{"update remove tags", func() error {
				_, err := f.svc.Update(done, f.agent, 1, ticket.Patch{RemoveTags: tags})
				return err
			}, "remove_tags", ticket.MaxTags},
			{"update followers", func() error {
				_, err := f.svc.Update(done, f.agent, 1, ticket.Patch{FollowerIDs: &follow})
				return err
			}, "follower_ids", ticket.MaxFollowers},
			{"update custom fields", func() error {
				_, err := f.svc.Update(done, f.agent, 1, ticket.Patch{CustomFields: values(10_001)})
				return err
			}, "custom_fields", ticket.MaxFieldValues},
			{"bulk ids", func() error {
				_, err := f.svc.BulkUpdate(done, f.agent, numbers(10_001), ticket.Patch{AddTags: []string{"x"}})
				return err
			}, "ids", ticket.MaxBulk},
			{"bulk patch tags", func() error {
				_, err := f.svc.BulkUpdate(done, f.agent, nil, ticket.Patch{AddTags: tags})
				return err
			}, "add_tags", ticket.MaxTags},
			{"field options", func() error {
				_, err := f.svc.CreateField(done, admin, ticket.FieldInput{Key: "size", Label: "Size", Type: "dropdown", Options: words(10_001)})
				return err
			}, "options", ticket.MaxFieldOptions},
			{"field patch options", func() error {
				opts := words(ticket.MaxFieldOptions + 1)
				_, err := f.svc.UpdateField(done, admin, 1, ticket.FieldPatch{Options: &opts})
				return err
			}, "options", ticket.MaxFieldOptions},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := apperr.As(tt.call())
				if e.Code != apperr.CodeInvalid || e.Fields[tt.field] != apperr.TooMany(tt.limit) {
					t.Fatalf("got %v, want %s: %q", e, tt.field, apperr.TooMany(tt.limit))
				}
			})
		}
		t.Run("at the limits", func(t *testing.T) {
			in := valid()
			in.Tags = words(ticket.MaxTags)
			tk, err := f.svc.Create(context.Background(), f.agent, in)
			if err != nil || len(tk.Tags) != ticket.MaxTags {
				t.Fatalf("create with %d tags: %d tags, %v", ticket.MaxTags, len(tk.Tags), err)
			}
			opts := words(ticket.MaxFieldOptions)
			if _, err := f.svc.CreateField(context.Background(), admin, ticket.FieldInput{Key: "size", Label: "Size", Type: "dropdown", Options: opts}); err != nil {
				t.Fatalf("a dropdown with %d options: %v", len(opts), err)
			}
		})
	})
}
