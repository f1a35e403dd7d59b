package qa_test

import (
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/qa"
)

func ip(v int) *int { return &v }

// The scorecard of the hand-computed examples (docs/metrics.md):
// Greeting binary ×1, Accuracy 1–5 ×3, Tone 1–3 ×2, Compliance binary ×2
// critical.
var card = []qa.Category{
	{ID: 1, Name: "Greeting", Weight: 1, Scale: qa.ScaleBinary},
	{ID: 2, Name: "Accuracy", Weight: 3, Scale: qa.ScaleFive},
	{ID: 3, Name: "Tone", Weight: 2, Scale: qa.ScaleThree},
	{ID: 4, Name: "Compliance", Weight: 2, Scale: qa.ScaleBinary, Critical: true},
}

func rate(g, a, t, c *int) []qa.Rating {
	return []qa.Rating{{CategoryID: 1, Rating: g}, {CategoryID: 2, Rating: a}, {CategoryID: 3, Rating: t}, {CategoryID: 4, Rating: c}}
}

func TestScore(t *testing.T) {
	tests := []struct {
		name     string
		ratings  []qa.Rating
		want     float64
		critical bool
		errField string
	}{
		// (1×1 + 3×¾ + 2×½ + 2×1) / 8 = 6.25 / 8 = 78.125 % → 78.13
		{"all rated", rate(ip(1), ip(4), ip(2), ip(1)), 78.13, false, ""},
		// Compliance failed: the whole review is 0 whatever the rest.
		{"critical fail", rate(ip(1), ip(5), ip(3), ip(0)), 0, true, ""},
		// Tone not applicable: (1 + 2.25 + 2) / 6 = 87.5 %
		{"not applicable left out", rate(ip(1), ip(4), nil, ip(1)), 87.5, false, ""},
		// The lowest everywhere but the critical one passes: 2 / 8 = 25 %
		{"lowest", rate(ip(0), ip(1), ip(1), ip(1)), 25, false, ""},
		{"perfect", rate(ip(1), ip(5), ip(3), ip(1)), 100, false, ""},
		{"critical not rated", rate(ip(1), ip(5), ip(3), nil), 0, false, "ratings.3"},
		{"out of scale", rate(ip(2), ip(5), ip(3), ip(1)), 0, false, "ratings.0"},
		{"five below one", rate(ip(1), ip(0), ip(3), ip(1)), 0, false, "ratings.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := qa.Score(card, tt.ratings, true)
			if tt.errField != "" {
				if err == nil || apperr.CodeOf(err) != apperr.CodeInvalid || apperr.As(err).Fields[tt.errField] == "" {
					t.Fatalf("err = %v, want invalid %s", err, tt.errField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Score != tt.want || got.CriticalFailed != tt.critical {
				t.Fatalf("Score = %v (critical %v), want %v (critical %v)", got.Score, got.CriticalFailed, tt.want, tt.critical)
			}
		})
	}
}

func TestWeekOf(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2026-03-02T09:00:00Z", "2026-03-02"}, // Monday
		{"2026-03-08T23:59:00Z", "2026-03-02"}, // Sunday
		{"2026-03-09T00:00:00Z", "2026-03-09"},
		{"2026-03-04T12:00:00Z", "2026-03-02"},
	} {
		in, _ := time.Parse(time.RFC3339, tc.in)
		if got := qa.WeekOf(in).Format("2006-01-02"); got != tc.want {
			t.Errorf("WeekOf(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
