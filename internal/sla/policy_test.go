package sla

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
)

func cond(field, op string, v any) Condition {
	return Condition{Field: field, Op: op, Value: v}
}

func TestConditionMatches(t *testing.T) {
	team, org := int64(4), int64(9)
	tk := ticket.Ticket{Priority: "high", Channel: "email", Type: "incident", TeamID: &team, OrganizationID: &org,
		Tags: []string{"billing", "vip"}, CustomFields: map[string]any{"order_no": "A-17", "amount": 250.0, "urgent_ack": true, "empty": ""}}
	bare := ticket.Ticket{Priority: "low", Channel: "chat", Type: "question", Tags: []string{}, CustomFields: map[string]any{}}
	tests := []struct {
		c          Condition
		tk, onBare bool
	}{
		{cond("priority", "is", "high"), true, false},
		{cond("priority", "is_not", "high"), false, true},
		{cond("priority", "in", []string{"high", "urgent"}), true, false},
		{cond("priority", "not_in", []string{"high", "urgent"}), false, true},
		{cond("channel", "is", "email"), true, false},
		{cond("type", "in", []string{"question"}), false, true},
		{cond("team_id", "is", 4), true, false},
		{cond("team_id", "is_not", 4), false, true},
		{cond("team_id", "in", []int64{1, 4}), true, false},
		{cond("team_id", "not_in", []int64{1, 4}), false, true},
		{cond("team_id", "present", nil), true, false},
		{cond("organization_id", "absent", nil), false, true},
		{cond("organization_id", "is", 9), true, false},
		{cond("tag", "includes", "vip"), true, false},
		{cond("tag", "excludes", "vip"), false, true},
		{cond("custom.order_no", "present", nil), true, false},
		{cond("custom.order_no", "absent", nil), false, true},
		{cond("custom.empty", "present", nil), false, false},
		{cond("custom.order_no", "is", "A-17"), true, false},
		{cond("custom.order_no", "is_not", "A-17"), false, true},
		{cond("custom.amount", "is", 250), true, false},
		{cond("custom.amount", "is", "250"), false, false},
		{cond("custom.urgent_ack", "is", true), true, false},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(tt.c.Value)
		name := tt.c.Field + " " + tt.c.Op + " " + string(b)
		t.Run(name, func(t *testing.T) {
			if got := tt.c.matches(&tk); got != tt.tk {
				t.Errorf("on the ticket: %v, want %v", got, tt.tk)
			}
			if got := tt.c.matches(&bare); got != tt.onBare {
				t.Errorf("on the bare ticket: %v, want %v", got, tt.onBare)
			}
		})
	}
}

func TestFirstMatch(t *testing.T) {
	vip := &Policy{ID: 1, Active: true, Conditions: []Condition{cond("tag", "includes", "vip")}}
	off := &Policy{ID: 2, Active: false}
	urgent := &Policy{ID: 3, Active: true, Conditions: []Condition{cond("priority", "in", []string{"high", "urgent"}), cond("channel", "is", "email")}}
	all := &Policy{ID: 4, Active: true}
	ps := []*Policy{vip, off, urgent, all}
	tests := []struct {
		name string
		tk   ticket.Ticket
		want int64
	}{
		{"vip first", ticket.Ticket{Priority: "urgent", Channel: "email", Tags: []string{"vip"}}, 1},
		{"inactive skipped, all conditions must hold", ticket.Ticket{Priority: "urgent", Channel: "email"}, 3},
		{"one condition fails", ticket.Ticket{Priority: "urgent", Channel: "chat"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := firstMatch(ps, &tt.tk); got == nil || got.ID != tt.want {
				t.Fatalf("firstMatch = %+v, want %d", got, tt.want)
			}
		})
	}
	if got := firstMatch([]*Policy{off}, &ticket.Ticket{}); got != nil {
		t.Fatalf("only an inactive policy: got %d", got.ID)
	}
}

func TestValidateConditionsAndTargets(t *testing.T) {
	keys := map[string]bool{"order_no": true}
	cal := int64(5)
	missing := int64(6)
	tests := []struct {
		name    string
		conds   []Condition
		targets map[string]Target
		fields  []string
	}{
		{"unknown field", []Condition{cond("priority", "is", "high"), cond("mood", "is", "x")}, nil, []string{"conditions[1].field"}},
		{"unknown custom field", []Condition{cond("custom.colour", "present", nil)}, nil, []string{"conditions[0].field"}},
		{"bad op", []Condition{cond("tag", "is", "vip")}, nil, []string{"conditions[0].op"}},
		{"bad enum value", []Condition{cond("priority", "in", []string{"high", "extreme"})}, nil, []string{"conditions[0].value[1]"}},
		{"list wanted", []Condition{cond("channel", "in", "email")}, nil, []string{"conditions[0].value"}},
		{"id wanted", []Condition{cond("team_id", "is", "four")}, nil, []string{"conditions[0].value"}},
		{"value with present", []Condition{cond("custom.order_no", "present", "x")}, nil, []string{"conditions[0].value"}},
		{"missing value", []Condition{cond("priority", "is", nil)}, nil, []string{"conditions[0].value"}},
		{"bad tag", []Condition{cond("tag", "includes", "two words")}, nil, []string{"conditions[0].value"}},
		{"object as custom value", []Condition{cond("custom.order_no", "is", map[string]int{"a": 1})}, nil, []string{"conditions[0].value"}},
		{"unknown priority", nil, map[string]Target{"extreme": {FirstReply: "1h"}}, []string{"targets.extreme"}},
		{"bad duration", nil, map[string]Target{"urgent": {FirstReply: "1d"}}, []string{"targets.urgent.first_reply"}},
		{"seconds", nil, map[string]Target{"urgent": {Resolution: "90s"}}, []string{"targets.urgent.resolution"}},
		{"seconds for another channel", []Condition{cond("channel", "is", "email")}, map[string]Target{"urgent": {FirstReply: "45s"}}, []string{"targets.urgent.first_reply"}},
		{"milliseconds for chat", []Condition{cond("channel", "is", "chat")}, map[string]Target{"urgent": {FirstReply: "1500ms"}}, []string{"targets.urgent.first_reply"}},
		{"fractions for chat", []Condition{cond("channel", "in", []string{"chat"})}, map[string]Target{"urgent": {FirstReply: "0.5s"}}, []string{"targets.urgent.first_reply"}},
		{"negative", nil, map[string]Target{"urgent": {Resolution: "-1h"}}, []string{"targets.urgent.resolution"}},
		{"no metric", nil, map[string]Target{"urgent": {}}, []string{"targets.urgent"}},
		{"business hours without calendar", nil, map[string]Target{"high": {FirstReply: "1h", BusinessHours: true}}, []string{"targets.high.calendar_id"}},
		{"calendar without business hours", nil, map[string]Target{"high": {FirstReply: "1h", CalendarID: &cal}}, []string{"targets.high.calendar_id"}},
		{"unknown calendar", nil, map[string]Target{"high": {FirstReply: "1h", BusinessHours: true, CalendarID: &missing}}, []string{"targets.high.calendar_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := apperr.FieldErrors{}
			validateConditions(fe, tt.conds, keys)
			targets := tt.targets
			if targets == nil {
				targets = map[string]Target{"urgent": {FirstReply: "1h"}}
			}
			validateTargets(fe, targets, ChatOnly(tt.conds), func(id int64) bool { return id == cal })
			var got []string
			for k := range fe {
				got = append(got, k)
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Fatalf("fields %v (-want +got):\n%s", fe, diff)
			}
		})
	}
	// Durations are normalised.
	fe := apperr.FieldErrors{}
	out := validateTargets(fe, map[string]Target{"urgent": {FirstReply: "90m", Resolution: "8h0m"}}, false, nil)
	if len(fe) > 0 || out["urgent"].FirstReply != "1h30m" || out["urgent"].Resolution != "8h" || out["urgent"].Goal(FirstReply) != 90*time.Minute {
		t.Fatalf("normalised %+v, %v", out, fe)
	}
	// A chat policy takes seconds.
	out = validateTargets(fe, map[string]Target{"urgent": {FirstReply: "45s", NextReply: "90s", Resolution: "1h0m30s"}}, true, nil)
	if len(fe) > 0 || out["urgent"].FirstReply != "45s" || out["urgent"].NextReply != "1m30s" || out["urgent"].Resolution != "1h0m30s" ||
		out["urgent"].Goal(FirstReply) != 45*time.Second {
		t.Fatalf("chat targets %+v, %v", out, fe)
	}
	if !ChatOnly([]Condition{{Field: "channel", Op: "in", Value: []any{"chat"}}}) || ChatOnly([]Condition{{Field: "channel", Op: "in", Value: []any{"chat", "email"}}}) {
		t.Fatal("ChatOnly")
	}
}
