package automation

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/ticket"
)

var base = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func sampleFacts() Facts {
	return Facts{
		Ticket: ticket.Ticket{
			ID: 7, Subject: "Refund for order 42", Status: ticket.StatusOpen, Priority: "high", Type: "incident",
			Channel: "email", RequesterID: 3, Requester: &ticket.Person{ID: 3, Type: "customer", Name: "Ada Lovelace", Email: "ada@example.com"},
			OrganizationID: ptr(int64(5)), TeamID: ptr(int64(2)), Language: "en", Tags: []string{"billing", "vip"},
			CustomFields: map[string]any{"plan": "pro", "seats": float64(12), "renewal": "2026-05-01"},
			CreatedAt:    base.Add(-80 * time.Hour), UpdatedAt: base.Add(-2 * time.Hour),
		},
		Events: []EventFact{
			{Type: ticket.EvPriorityChanged, Data: map[string]any{"from": "normal", "to": "high"}},
			{Type: ticket.EvAssigneeChanged, Data: map[string]any{"from": float64(0), "to": float64(9)}},
			{Type: ticket.EvFieldChanged, Data: map[string]any{"key": "plan", "from": "basic", "to": "pro"}},
			{Type: ticket.EvCommentAdded, Data: map[string]any{"comment_id": float64(1)}},
		},
		Comment:         &CommentFact{Public: true, AuthorType: "customer", Body: "Please REFUND me"},
		Now:             base,
		StatusChangedAt: base.Add(-73 * time.Hour),
		InBusinessHours: func(t time.Time) bool { return t.Hour() >= 9 && t.Hour() < 17 },
	}
}

func leaf(field, op string, value any) Condition {
	c := Condition{Field: field, Op: op}
	if value != nil {
		b, _ := json.Marshal(value)
		c.Value = json.RawMessage(b)
	}
	return c
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		c    Conditions
		want bool
	}{
		{"priority is", KindTrigger, Conditions{All: []Condition{leaf("priority", "is", "high")}}, true},
		{"priority is other", KindTrigger, Conditions{All: []Condition{leaf("priority", "is", "urgent")}}, false},
		{"priority gt", KindTrigger, Conditions{All: []Condition{leaf("priority", "gt", "normal")}}, true},
		{"priority lt", KindTrigger, Conditions{All: []Condition{leaf("priority", "lt", "high")}}, false},
		{"status in", KindTrigger, Conditions{All: []Condition{leaf("status", "in", []string{"new", "open"})}}, true},
		{"status is_not", KindTrigger, Conditions{All: []Condition{leaf("status", "is_not", "open")}}, false},
		{"status lt solved", KindTrigger, Conditions{All: []Condition{leaf("status", "lt", "solved")}}, true},
		{"type not_in", KindTrigger, Conditions{All: []Condition{leaf("type", "not_in", []string{"question"})}}, true},
		{"channel is", KindTrigger, Conditions{All: []Condition{leaf("channel", "is", "email")}}, true},
		{"tags includes one of", KindTrigger, Conditions{All: []Condition{leaf("tags", "includes", []string{"VIP", "x"})}}, true},
		{"tags excludes", KindTrigger, Conditions{All: []Condition{leaf("tags", "excludes", "vip")}}, false},
		{"tags absent", KindTrigger, Conditions{All: []Condition{leaf("tags", "absent", nil)}}, false},
		{"tags changed", KindTrigger, Conditions{All: []Condition{leaf("tags", "changed", nil)}}, false},
		{"subject contains any case", KindTrigger, Conditions{All: []Condition{leaf("subject", "contains", "REFUND")}}, true},
		{"subject not_contains", KindTrigger, Conditions{All: []Condition{leaf("subject", "not_contains", "refund")}}, false},
		{"assignee absent", KindTrigger, Conditions{All: []Condition{leaf("assignee_id", "absent", nil)}}, true},
		{"assignee present", KindTrigger, Conditions{All: []Condition{leaf("assignee_id", "present", nil)}}, false},
		{"team is", KindTrigger, Conditions{All: []Condition{leaf("team_id", "is", 2)}}, true},
		{"team in", KindTrigger, Conditions{All: []Condition{leaf("team_id", "in", []int{3, 4})}}, false},
		{"team is_not", KindTrigger, Conditions{All: []Condition{leaf("team_id", "is_not", 3)}}, true},
		{"assignee is_not when unassigned", KindTrigger, Conditions{All: []Condition{leaf("assignee_id", "is_not", 3)}}, true},
		{"organization", KindTrigger, Conditions{All: []Condition{leaf("requester.organization_id", "is", 5)}}, true},
		{"language is", KindTrigger, Conditions{All: []Condition{leaf("language", "is", "EN")}}, true},
		{"event is", KindTrigger, Conditions{All: []Condition{leaf("event", "is", "comment_added")}}, true},
		{"event is missing", KindTrigger, Conditions{All: []Condition{leaf("event", "is", "created")}}, false},
		{"event not_in", KindTrigger, Conditions{All: []Condition{leaf("event", "not_in", []string{"created", "sla_breached"})}}, true},
		{"priority changed", KindTrigger, Conditions{All: []Condition{leaf("priority", "changed", nil)}}, true},
		{"priority changed_to", KindTrigger, Conditions{All: []Condition{leaf("priority", "changed_to", "high")}}, true},
		{"priority changed_from", KindTrigger, Conditions{All: []Condition{leaf("priority", "changed_from", "normal")}}, true},
		{"priority changed_to other", KindTrigger, Conditions{All: []Condition{leaf("priority", "changed_to", "urgent")}}, false},
		{"status changed", KindTrigger, Conditions{All: []Condition{leaf("status", "changed", nil)}}, false},
		{"assignee changed_to", KindTrigger, Conditions{All: []Condition{leaf("assignee_id", "changed_to", 9)}}, true},
		{"custom changed_from", KindTrigger, Conditions{All: []Condition{leaf("custom.plan", "changed_from", "basic")}}, true},
		{"custom other key unchanged", KindTrigger, Conditions{All: []Condition{leaf("custom.seats", "changed", nil)}}, false},
		{"custom is any case", KindTrigger, Conditions{All: []Condition{leaf("custom.plan", "is", "PRO")}}, true},
		{"custom number gt", KindTrigger, Conditions{All: []Condition{leaf("custom.seats", "gt", 10)}}, true},
		{"custom number lt", KindTrigger, Conditions{All: []Condition{leaf("custom.seats", "lt", 10)}}, false},
		{"custom date lt", KindTrigger, Conditions{All: []Condition{leaf("custom.renewal", "lt", "2026-06-01")}}, true},
		{"custom in", KindTrigger, Conditions{All: []Condition{leaf("custom.plan", "in", []string{"basic", "pro"})}}, true},
		{"custom absent", KindTrigger, Conditions{All: []Condition{leaf("custom.missing", "absent", nil)}}, true},
		{"comment public", KindTrigger, Conditions{All: []Condition{leaf("comment.public", "is", true)}}, true},
		{"comment author", KindTrigger, Conditions{All: []Condition{leaf("comment.author_type", "is", "agent")}}, false},
		{"comment body", KindTrigger, Conditions{All: []Condition{leaf("comment.body", "contains", "refund")}}, true},
		{"requester email domain", KindTrigger, Conditions{All: []Condition{leaf("requester.email", "contains", "@example.com")}}, true},
		{"within business hours", KindTrigger, Conditions{All: []Condition{leaf("within_business_hours", "is", true)}}, true},
		{"any", KindTrigger, Conditions{Any: []Condition{leaf("priority", "is", "low"), leaf("tags", "includes", "vip")}}, true},
		{"all and any", KindTrigger, Conditions{All: []Condition{leaf("priority", "is", "high")}, Any: []Condition{leaf("priority", "is", "low"), leaf("status", "is", "new")}}, false},
		{"nested group", KindTrigger, Conditions{All: []Condition{{Any: []Condition{leaf("priority", "is", "low"), leaf("status", "is", "new")}}}}, false},
		{"hours since created", KindAutomation, Conditions{All: []Condition{leaf("hours_since_created", "gt", 72)}}, true},
		{"hours since updated", KindAutomation, Conditions{All: []Condition{leaf("hours_since_updated", "gt", 3)}}, false},
		{"hours since updated lt", KindAutomation, Conditions{All: []Condition{leaf("hours_since_updated", "lt", 3)}}, true},
		{"hours since status change", KindAutomation, Conditions{All: []Condition{leaf("hours_since_status_change", "gt", 72.5)}}, true},
		{"hours since solved unsolved", KindAutomation, Conditions{All: []Condition{leaf("hours_since_solved", "gt", 1)}}, false},
		{"hours since solved absent", KindAutomation, Conditions{All: []Condition{leaf("hours_since_solved", "absent", nil)}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fe := apperr.FieldErrors{}
			m := Compile(tt.c, tt.kind, "conditions", fe)
			if len(fe) > 0 {
				t.Fatalf("invalid: %v", fe)
			}
			f := sampleFacts()
			if got := m.Match(&f); got != tt.want {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEvaluateWithoutComment(t *testing.T) {
	f := sampleFacts()
	f.Comment = nil
	f.InBusinessHours = nil
	for _, c := range []Condition{leaf("comment.public", "is", true), leaf("comment.public", "is_not", true), leaf("comment.body", "contains", "x")} {
		fe := apperr.FieldErrors{}
		m := Compile(Conditions{All: []Condition{c}}, KindTrigger, "conditions", fe)
		if m.Match(&f) && c.Op != "is_not" {
			t.Errorf("%s %s matched without a comment", c.Field, c.Op)
		}
	}
	fe := apperr.FieldErrors{}
	m := Compile(Conditions{All: []Condition{leaf("within_business_hours", "is", true)}}, KindTrigger, "conditions", fe)
	if !m.Match(&f) {
		t.Error("without a calendar every moment should be within business hours")
	}
}

func TestConditionValidation(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		json string
		want map[string]string // path → problem prefix
	}{
		{"unknown field", KindTrigger, `{"all":[{"field":"colour","op":"is","value":"red"}]}`, map[string]string{"conditions.all[0].field": "is not a known field"}},
		{"bad op", KindTrigger, `{"all":[{"field":"priority","op":"is","value":"high"},{"field":"tags","op":"is","value":"x"}]}`, map[string]string{"conditions.all[1].op": "must be one of"}},
		{"missing op", KindTrigger, `{"all":[{"field":"priority","value":"high"}]}`, map[string]string{"conditions.all[0].op": "is required"}},
		{"missing value", KindTrigger, `{"all":[{"field":"priority","op":"is"}]}`, map[string]string{"conditions.all[0].value": "is required"}},
		{"bad enum", KindTrigger, `{"all":[{"field":"priority","op":"is","value":"meh"}]}`, map[string]string{"conditions.all[0].value": "must be one of"}},
		{"empty list", KindTrigger, `{"all":[{"field":"status","op":"in","value":[]}]}`, map[string]string{"conditions.all[0].value": "must be a non-empty list"}},
		{"bad list item", KindTrigger, `{"any":[{"field":"status","op":"in","value":["open","shut"]}]}`, map[string]string{"conditions.any[0].value[1]": "must be one of"}},
		{"value with present", KindTrigger, `{"all":[{"field":"assignee_id","op":"present","value":3}]}`, map[string]string{"conditions.all[0].value": "must be left out"}},
		{"bad id", KindTrigger, `{"all":[{"field":"team_id","op":"is","value":"two"}]}`, map[string]string{"conditions.all[0].value": "must be a positive whole number"}},
		{"leaf and group", KindTrigger, `{"all":[{"field":"status","op":"is","value":"open","any":[{"field":"status","op":"is","value":"new"}]}]}`, map[string]string{"conditions.all[0]": "is either"}},
		{"hours in trigger", KindTrigger, `{"all":[{"field":"hours_since_created","op":"gt","value":3}]}`, map[string]string{"conditions.all[0].field": "is only available to automations"}},
		{"event in automation", KindAutomation, `{"all":[{"field":"event","op":"is","value":"created"}]}`, map[string]string{"conditions.all[0].field": "is only available to triggers"}},
		{"changed in automation", KindAutomation, `{"all":[{"field":"priority","op":"changed"}]}`, map[string]string{"conditions.all[0].op": "is only available to triggers"}},
		{"bad event", KindTrigger, `{"all":[{"field":"event","op":"is","value":"Big Bang"}]}`, map[string]string{"conditions.all[0].value": "must be an event type"}},
		{"nested path", KindTrigger, `{"any":[{"all":[{"field":"status","op":"is","value":"open"},{"field":"status","op":"bogus","value":"open"}]}]}`, map[string]string{"conditions.any[0].all[1].op": "must be one of"}},
		{"negative hours", KindAutomation, `{"all":[{"field":"hours_since_created","op":"gt","value":-1}]}`, map[string]string{"conditions.all[0].value": "must be a number"}},
		{"bool", KindTrigger, `{"all":[{"field":"comment.public","op":"is","value":"yes"}]}`, map[string]string{"conditions.all[0].value": "must be true or false"}},
		{"too deep", KindTrigger, `{"all":[{"all":[{"all":[{"all":[{"all":[{"field":"status","op":"is","value":"open"}]}]}]}]}]}`, map[string]string{"conditions.all[0].all[0].all[0].all[0]": "nests deeper"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConditions([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			fe := apperr.FieldErrors{}
			Compile(c, tt.kind, "conditions", fe)
			got := map[string]string{}
			for k, v := range fe {
				for wk, wv := range tt.want {
					if k == wk && strings.HasPrefix(v, wv) {
						v = wv
					}
				}
				got[k] = v
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s\nall: %v", diff, fe)
			}
		})
	}
}

func TestParseConditionsRejectsUnknownKeys(t *testing.T) {
	if _, err := ParseConditions([]byte(`{"all":[{"feild":"status"}]}`)); err == nil {
		t.Fatal("want an error for an unknown key")
	}
}

func TestActionValidation(t *testing.T) {
	tests := []struct {
		name    string
		kind    string
		actions string
		want    string // the one field path expected
	}{
		{"unknown type", "trigger", `[{"type":"explode"}]`, "actions[0].type"},
		{"bad priority", "trigger", `[{"type":"set_priority","value":"meh"}]`, "actions[0].value"},
		{"status new", "trigger", `[{"type":"set_status","value":"new"}]`, "actions[0].value"},
		{"bad url scheme", "trigger", `[{"type":"add_tags","value":"x"},{"type":"webhook","url":"ftp://example.com/x"}]`, "actions[1].url"},
		{"url credentials", "trigger", `[{"type":"slack","url":"https://u:p@example.com/x","body":"hi"}]`, "actions[0].url"},
		{"missing url", "trigger", `[{"type":"webhook"}]`, "actions[0].url"},
		{"unknown placeholder", "trigger", `[{"type":"send_reply","body":"Hi {{requester.shoe_size}}"}]`, "actions[0].body"},
		{"unclosed placeholder", "trigger", `[{"type":"add_note","body":"Hi {{requester.name"}]`, "actions[0].body"},
		{"empty body", "trigger", `[{"type":"add_note","body":"  "}]`, "actions[0].body"},
		{"bad tag", "trigger", `[{"type":"add_tags","value":["ok","not ok"]}]`, "actions[0].value[1]"},
		{"bad assignee", "trigger", `[{"type":"set_assignee","value":-3}]`, "actions[0].value"},
		{"body on set", "trigger", `[{"type":"set_priority","value":"low","body":"x"}]`, "actions[0].body"},
		{"webhook in macro", "macro", `[{"type":"webhook","url":"https://example.com"}]`, "actions[0].type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var as []Action
			if err := json.Unmarshal([]byte(tt.actions), &as); err != nil {
				t.Fatal(err)
			}
			fe := apperr.FieldErrors{}
			compileActions(as, tt.kind, fe)
			if _, ok := fe[tt.want]; !ok || len(fe) != 1 {
				t.Errorf("errors = %v, want one for %s", fe, tt.want)
			}
		})
	}
}

func TestTemplate(t *testing.T) {
	tm, err := ParseTemplate("Hi {{requester.first_name}}, ticket #{{ ticket.id }} ({{ticket.subject}}) is on plan {{custom.plan}}. — {{agent.name}}")
	if err != nil {
		t.Fatal(err)
	}
	f := sampleFacts()
	got := tm.Render(templateData(f.Ticket, "Ingrid"))
	want := "Hi Ada, ticket #7 (Refund for order 42) is on plan pro. — Ingrid"
	if got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}

func TestPlan(t *testing.T) {
	var as []Action
	_ = json.Unmarshal([]byte(`[{"type":"set_priority","value":"urgent"},{"type":"add_tags","value":["a","b"]},{"type":"remove_tags","value":"b"},
		{"type":"set_assignee","value":null},{"type":"add_follower","value":4},{"type":"add_note","body":"for {{requester.name}}"}]`), &as)
	fe := apperr.FieldErrors{}
	acts := compileActions(as, "trigger", fe)
	if len(fe) > 0 {
		t.Fatal(fe)
	}
	f := sampleFacts()
	pl := buildPlan(acts, f.Ticket, templateData(f.Ticket, ""))
	got := changes(pl.patch)
	want := map[string]any{"priority": "urgent", "add_tags": []string{"a"}, "remove_tags": []string{"b"}, "assignee_id": (*int64)(nil), "follower_ids": []int64{4}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]plannedComment{{Body: "for Ada Lovelace", Public: false}}, pl.comments); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
}

func FuzzConditions(f *testing.F) {
	f.Add([]byte(`{"all":[{"field":"priority","op":"is","value":"high"}]}`))
	f.Add([]byte(`{"any":[{"field":"tags","op":"includes","value":["vip"]},{"all":[{"field":"custom.seats","op":"gt","value":3}]}]}`))
	f.Add([]byte(`{"all":[{"field":"hours_since_created","op":"gt","value":1e300}]}`))
	f.Add([]byte(`{"all":[{"field":"assignee_id","op":"changed_to","value":9007199254740993}]}`))
	f.Add([]byte(`{"all":[{"field":"custom.plan","op":"in","value":[null,{},[]]}]}`))
	facts := sampleFacts()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConditions(data)
		if err != nil {
			return
		}
		for _, k := range []Kind{KindTrigger, KindAutomation} {
			fe := apperr.FieldErrors{}
			m := Compile(c, k, "conditions", fe)
			if len(fe) > 0 {
				for path := range fe {
					if !strings.HasPrefix(path, "conditions") {
						t.Fatalf("error path %q outside conditions", path)
					}
				}
				continue
			}
			m.Match(&facts)
			empty := Facts{}
			m.Match(&empty)
		}
	})
}

// BenchmarkTriggerEvaluation measures pure evaluation of 200 active triggers
// against one event (one op = one event through every trigger).
func BenchmarkTriggerEvaluation(b *testing.B) {
	var ms []*Matcher
	for i := range 200 {
		raw := fmt.Sprintf(`{"all":[{"field":"event","op":"in","value":["created","comment_added"]},
			{"field":"status","op":"in","value":["new","open"]},
			{"field":"tags","op":"excludes","value":["tag%d"]}],
			"any":[{"field":"subject","op":"contains","value":"word%d"},{"field":"priority","op":"is","value":"urgent"},
			{"field":"custom.seats","op":"gt","value":%d}]}`, i, i, i)
		c, err := ParseConditions([]byte(raw))
		if err != nil {
			b.Fatal(err)
		}
		fe := apperr.FieldErrors{}
		m := Compile(c, KindTrigger, "conditions", fe)
		if len(fe) > 0 {
			b.Fatal(fe)
		}
		ms = append(ms, m)
	}
	f := sampleFacts()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		for _, m := range ms {
			if m.Match(&f) {
				n++
			}
		}
	}
	if n == 0 {
		b.Fatal("nothing matched")
	}
}
