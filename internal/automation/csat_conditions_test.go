package automation

import (
	"testing"

	"github.com/ombud/ombud/internal/apperr"
)

// TestCSATConditions: a trigger can act on the rating a csat_rated event
// gave (good/bad or the score); changes without a rating match neither.
func TestCSATConditions(t *testing.T) {
	rated := func(score float64) Facts {
		f := sampleFacts()
		f.Events = []EventFact{{Type: "csat_rated", Data: map[string]any{"score": score, "previous_score": float64(0)}}}
		return f
	}
	tests := []struct {
		name  string
		c     Condition
		facts Facts
		want  bool
	}{
		{"bad is bad", leaf("csat", "is", "bad"), rated(1), true},
		{"2 of 5 is bad", leaf("csat", "is", "bad"), rated(2), true},
		{"good is not bad", leaf("csat", "is", "bad"), rated(5), false},
		{"4 is good", leaf("csat", "is", "good"), rated(4), true},
		{"no rating: not bad", leaf("csat", "is", "bad"), sampleFacts(), false},
		{"no rating: not is_not bad either way", leaf("csat", "is_not", "bad"), sampleFacts(), true},
		{"score lt 3", leaf("csat.score", "lt", "3"), rated(2), true},
		{"score lt 3, got 3", leaf("csat.score", "lt", "3"), rated(3), false},
		{"score is 5", leaf("csat.score", "is", "5"), rated(5), true},
		{"event csat_rated", leaf("event", "is", "csat_rated"), rated(1), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fe := apperr.FieldErrors{}
			m := Compile(Conditions{All: []Condition{tc.c}}, KindTrigger, "conditions", fe)
			if len(fe) > 0 {
				t.Fatalf("compile: %v", fe)
			}
			f := tc.facts
			if got := m.Match(&f); got != tc.want {
				t.Fatalf("match = %v, want %v", got, tc.want)
			}
		})
	}
	fe := apperr.FieldErrors{}
	Compile(Conditions{All: []Condition{leaf("csat", "is", "meh")}}, KindTrigger, "conditions", fe)
	if fe["conditions.all[0].value"] == "" {
		t.Errorf("an unknown rating compiled: %v", fe)
	}
	fe = apperr.FieldErrors{}
	Compile(Conditions{All: []Condition{leaf("csat", "is", "bad")}}, KindAutomation, "conditions", fe)
	if fe["conditions.all[0].field"] == "" {
		t.Errorf("automations see no rating events, yet csat compiled: %v", fe)
	}
}
