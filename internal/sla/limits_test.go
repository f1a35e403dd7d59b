package sla_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/sla"
)

// TestListLimits: oversized calendar, policy and reorder lists are refused,
// naming the list, before the database is touched (the calls get a
// cancelled context; a policy is otherwise validated inside its write).
func TestListLimits(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		f := setup(t, d)
		done, cancel := context.WithCancel(context.Background())
		cancel()
		conds := make([]sla.Condition, 10_001)
		targets := map[string]sla.Target{}
		for i := range 10_001 {
			targets[fmt.Sprintf("p%d", i)] = sla.Target{FirstReply: "1h"}
		}
		day := make([]sla.Interval, 13)
		holidays := make([]sla.Holiday, 10_001)
		tests := []struct {
			name   string
			call   func() error
			fields map[string]string
		}{
			{"policy conditions", func() error {
				_, err := f.svc.CreatePolicy(done, f.admin, sla.PolicyInput{Name: "x", Conditions: conds, Targets: map[string]sla.Target{"normal": {FirstReply: "1h"}}})
				return err
			}, map[string]string{"conditions": apperr.TooMany(50)}},
			{"policy targets", func() error {
				_, err := f.svc.CreatePolicy(done, f.admin, sla.PolicyInput{Name: "x", Targets: targets})
				return err
			}, map[string]string{"targets": apperr.TooMany(4)}},
			{"policy patch", func() error {
				_, err := f.svc.UpdatePolicy(done, f.admin, 1, sla.PolicyPatch{Conditions: &conds, Targets: &targets})
				return err
			}, map[string]string{"conditions": apperr.TooMany(50), "targets": apperr.TooMany(4)}},
			{"reorder", func() error {
				_, err := f.svc.ReorderPolicies(done, f.admin, sla.ReorderInput{IDs: make([]int64, sla.MaxPolicies+1)})
				return err
			}, map[string]string{"ids": apperr.TooMany(sla.MaxPolicies)}},
			{"calendar", func() error {
				_, err := f.svc.CreateCalendar(done, f.admin, sla.CalendarInput{Name: "x", TimeZone: "UTC", Schedule: sla.Schedule{Tue: day}, Holidays: holidays})
				return err
			}, map[string]string{"schedule.tue": apperr.TooMany(12), "holidays": apperr.TooMany(1000)}},
			{"calendar patch", func() error {
				_, err := f.svc.UpdateCalendar(done, f.admin, 1, sla.CalendarPatch{Holidays: &holidays})
				return err
			}, map[string]string{"holidays": apperr.TooMany(1000)}},
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
