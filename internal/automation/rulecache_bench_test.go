package automation

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// BenchmarkTriggerRules compares what a trigger job pays to learn the
// active triggers: read, decoded and compiled per job (as before the
// cache), or kept compiled and checked against the configuration stamp
// (one small read). 20 active triggers of the size of the starter ones.
//
//	go test ./internal/automation/ -run '^$' -bench TriggerRules -cpu 1
func BenchmarkTriggerRules(b *testing.B) {
	ctx := context.Background()
	d := dbtest.Open(b, db.SQLite)
	s := NewService(d, time.Now, nil, nil)
	var admin int64
	if err := d.Write(ctx, func(tx *db.Tx) error {
		var err error
		admin, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, created_at, updated_at) VALUES ('admin@ombud.test', 'Admin', 'admin', 1, 1)`)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	actor := authz.Actor{Kind: authz.KindAgent, ID: admin, Role: authz.Admin, Name: "Admin"}
	for i := range 20 {
		_, err := s.CreateRule(ctx, actor, KindTrigger, RuleInput{Name: fmt.Sprintf("Rule %d", i),
			Conditions: Conditions{All: []Condition{
				{Field: "event", Op: "is", Value: json.RawMessage(`"comment_added"`)},
				{Field: "comment.author_type", Op: "is", Value: json.RawMessage(`"customer"`)},
				{Field: "status", Op: "in", Value: json.RawMessage(`["new","open","pending"]`)},
				{Field: "subject", Op: "contains", Value: json.RawMessage(fmt.Sprintf(`"word%d"`, i))}}},
			Actions: []Action{
				{Type: "add_tags", Value: json.RawMessage(fmt.Sprintf(`["tag%d"]`, i))},
				{Type: "set_priority", Value: json.RawMessage(`"high"`)}}})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Run("read and compiled per job", func(b *testing.B) {
		for b.Loop() {
			if rs, err := s.listRules(ctx, s.db, KindTrigger, true); err != nil || len(rs) != 20 {
				b.Fatal(len(rs), err)
			}
		}
	})
	b.Run("kept, stamp checked per job", func(b *testing.B) {
		for b.Loop() {
			if rs, err := s.activeTriggers(ctx); err != nil || len(rs) != 20 {
				b.Fatal(len(rs), err)
			}
		}
	})
}
