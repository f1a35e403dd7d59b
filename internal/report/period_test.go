package report

import (
	"net/url"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
)

// TestFilterPeriod: a period is a date range inside 1970..2200, from before
// to, at most MaxRange long; anything else is a 400 naming the field.
func TestFilterPeriod(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		query string
		field string // "" = accepted
	}{
		{"", ""},
		{"from=2026-01-01&to=2026-01-31", ""},
		{"from=1970-01-01&to=1970-01-31", ""},
		{"to=9999-12-31", "to"},
		{"from=9999-12-01T00:00:00Z&to=9999-12-31T00:00:00Z", "to"},
		{"to=2200-01-01", "to"},
		{"from=2300-01-01", "from"},
		{"from=1969-12-01&to=1969-12-31", "from"},
		{"from=1969-11-01&to=1969-11-30", "to"},
		{"from=1969-12-31&to=1970-01-10", "from"},
		{"from=0001-01-01T00:00:00Z&to=2026-01-01", "from"},
		{"from=2026-02-01&to=2026-01-01", "to"},
		{"from=2020-01-01&to=2026-01-01", "to"},
		{"from=yesterday", "from"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			_, err = FilterFromQuery(q, time.UTC, now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			e := apperr.As(err)
			if e.Code != apperr.CodeInvalid {
				t.Fatalf("got %v, want invalid", err)
			}
			if _, ok := e.Fields[tt.field]; !ok {
				t.Fatalf("fields %v lack %q", e.Fields, tt.field)
			}
		})
	}
}
