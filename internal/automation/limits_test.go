package automation_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestListLimits: oversized condition, action and reorder lists are refused
// once, naming the list, before the database is touched (the calls get a
// cancelled context) and without an error per element.
func TestListLimits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		done, cancel := context.WithCancel(context.Background())
		cancel()
		many := func(n int) []automation.Condition {
			return make([]automation.Condition, n)
		}
		acts := make([]automation.Action, 10_001)
		ids := make([]int64, automation.MaxRules+1)
		tests := []struct {
			name   string
			call   func() error
			fields map[string]string
		}{
			{"trigger all", func() error {
				_, err := e.svc.CreateRule(done, e.admin, automation.KindTrigger, automation.RuleInput{Name: "x", Conditions: automation.Conditions{All: many(10_001)}})
				return err
			}, map[string]string{"conditions.all": apperr.TooMany(100)}},
			{"trigger all and any", func() error {
				_, err := e.svc.CreateRule(done, e.admin, automation.KindTrigger, automation.RuleInput{Name: "x", Conditions: automation.Conditions{All: many(101), Any: many(101)}})
				return err
			}, map[string]string{"conditions.all": apperr.TooMany(100), "conditions.any": apperr.TooMany(100)}},
			{"trigger actions", func() error {
				_, err := e.svc.CreateRule(done, e.admin, automation.KindTrigger, automation.RuleInput{Name: "x", Actions: acts})
				return err
			}, map[string]string{"actions": apperr.TooMany(20)}},
			{"automation patch any", func() error {
				c := automation.Conditions{Any: many(10_001)}
				_, err := e.svc.UpdateRule(done, e.admin, automation.KindAutomation, 1, automation.RulePatch{Conditions: &c})
				return err
			}, map[string]string{"conditions.any": apperr.TooMany(100)}},
			{"trigger patch actions", func() error {
				_, err := e.svc.UpdateRule(done, e.admin, automation.KindTrigger, 1, automation.RulePatch{Actions: &acts})
				return err
			}, map[string]string{"actions": apperr.TooMany(20)}},
			{"reorder", func() error {
				_, err := e.svc.ReorderRules(done, e.admin, automation.KindTrigger, ids)
				return err
			}, map[string]string{"ids": apperr.TooMany(automation.MaxRules)}},
			{"nested over the total, reported once", func() error {
				groups := many(60)
				for i := range groups {
					groups[i].Any = []automation.Condition{{Field: "priority", Op: "is", Value: "urgent"}, {Field: "priority", Op: "is", Value: "high"}}
				}
				_, err := e.svc.CreateRule(done, e.admin, automation.KindTrigger, automation.RuleInput{Name: "x", Conditions: automation.Conditions{All: groups},
					Actions: []automation.Action{{Type: "add_tags", Value: []string{"x"}}}})
				return err
			}, map[string]string{"conditions.all[33].any[0]": "a rule has at most 100 conditions"}},
			{"macro actions", func() error {
				_, err := e.svc.CreateMacro(done, e.agent, automation.MacroInput{Name: "x", Body: "Hello", Actions: acts})
				return err
			}, map[string]string{"actions": apperr.TooMany(20)}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e := apperr.As(tt.call())
				if e.Code != apperr.CodeInvalid || len(e.Fields) != len(tt.fields) {
					t.Fatalf("got %v, want invalid %v", e, tt.fields)
				}
				for k, v := range tt.fields {
					if e.Fields[k] != v {
						t.Errorf("field %s: %q, want %q", k, e.Fields[k], v)
					}
				}
			})
		}
	})
}
