package ticket_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/ticket"
)

// sparseCorpus creates the 40 tickets the sparse-match tests search
// (rankfew_test.go, rankpg_test.go): words that seldom share a comment
// ("ikke hello"), a phrase, an email address in every ninth, a reply
// "hilsen regards" on every fifth, every other one open. subject formats
// each ticket's subject from its number. It returns the tickets' ids.
func sparseCorpus(t *testing.T, f fixture, subject string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i := range 40 {
		f.clk.add(time.Duration(1+i%3) * time.Hour)
		desc := []string{"hello order arrived", "ikke levert hilsen", "hello again", "order ikke"}[i%4]
		if i%9 == 0 {
			desc += " write to kari.holm@inbox.example"
		}
		tk := newTicket(t, f, fmt.Sprintf(subject, i), func(in *ticket.CreateInput) {
			in.Description = desc
			if i%2 == 0 {
				in.Status = "open"
			}
		})
		ids = append(ids, tk.ID)
		if i%5 == 0 {
			if _, err := f.svc.AddComment(ctx, f.agent, tk.ID, ticket.CommentInput{Body: "hilsen regards"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

// checkSparse runs compare (which checks one way of searching against
// another and returns the result) for queries at bounds the walks cross,
// then after writes: a new comment is found at once, and after a merge
// the source's comments find the target.
func checkSparse(t *testing.T, f fixture, ids []int64, queries []string, compare func(t *testing.T, qs string, bound int) searchResult) {
	t.Helper()
	ctx := context.Background()
	for _, bound := range []int{0, 2, 5, 30} {
		for _, qs := range queries {
			compare(t, qs, bound)
		}
	}
	if got := compare(t, "hilsen regards", 30); len(got.ids) != 8 {
		t.Fatalf("hilsen regards: %+v", got)
	}
	if _, err := f.svc.AddComment(ctx, f.agent, ids[1], ticket.CommentInput{Body: "ikke hello"}); err != nil {
		t.Fatal(err)
	}
	if got := compare(t, "ikke hello", 30); !slices.Equal(got.ids, []int64{ids[1]}) {
		t.Fatalf("new comment: %+v", got)
	}
	if _, err := f.svc.Merge(ctx, f.agent, ids[2], ids[1]); err != nil {
		t.Fatal(err)
	}
	if got := compare(t, "ikke hello", 30); !slices.Equal(got.ids, []int64{ids[2]}) {
		t.Fatalf("after merge: %+v", got)
	}
}
