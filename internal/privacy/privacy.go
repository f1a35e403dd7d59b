// Package privacy exports everything stored about a customer, erases or
// anonymises a customer across every table that can hold their data, and
// applies the data retention rules. It is a cross-cutting domain: it reads
// and writes the rows of tickets, comments, mail, drafts and jobs directly,
// because an erasure must reach every copy of the data, in batches that do
// not hold the single SQLite writer for long.
package privacy

import (
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/db"
)

// Erased replaces erased text: subjects, bodies, names.
const Erased = "[erased]"

// Mode says how a customer is erased.
type Mode string

// The modes.
const (
	// Anonymise keeps the tickets for statistics with their text erased;
	// the customer row stays as an anonymous placeholder requester.
	Anonymise Mode = "anonymise"
	// Delete removes the customer's tickets entirely.
	Delete Mode = "delete"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == Anonymise || m == Delete }

// Refresher recomputes the report facts of tickets marked dirty (the
// report service): after an erasure the roll-ups follow at once.
type Refresher interface {
	Refresh(ctx context.Context) (int, error)
}

// Service exports and erases customers and runs retention.
type Service struct {
	db      *db.DB
	blobs   *blob.Store
	now     func() time.Time
	reports Refresher
	log     *slog.Logger
	// batch is how many tickets one write transaction erases.
	batch int
}

// NewService returns the privacy service. reports may be nil.
func NewService(d *db.DB, blobs *blob.Store, now func() time.Time, reports Refresher, log *slog.Logger) *Service {
	return &Service{db: d, blobs: blobs, now: now, reports: reports, log: log, batch: 50}
}

// SetBatch changes the tickets per transaction (tests use small batches
// to cross batch boundaries).
func (s *Service) SetBatch(n int) {
	if n > 0 {
		s.batch = n
	}
}

// in returns "(?, ?, …)" for n values.
func in(n int) string {
	if n <= 0 {
		return "(NULL)"
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
}

func args(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}

// needles matches the customer's identifying strings (identity values and
// a distinctive name) anywhere in a text, case-insensitively.
type needles struct {
	re *regexp.Regexp
	// list is the plain strings, for LIKE prefilters.
	list []string
}

func newNeedles(values []string) needles {
	var parts, list []string
	seen := map[string]bool{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len([]rune(v)) < 4 || seen[strings.ToLower(v)] {
			continue
		}
		seen[strings.ToLower(v)] = true
		list = append(list, v)
		parts = append(parts, regexp.QuoteMeta(v))
	}
	if len(parts) == 0 {
		return needles{}
	}
	return needles{re: regexp.MustCompile("(?i)" + strings.Join(parts, "|")), list: list}
}

func (n needles) empty() bool { return n.re == nil }

// replace erases every needle in s.
func (n needles) replace(s string) string {
	if n.re == nil {
		return s
	}
	return n.re.ReplaceAllLiteralString(s, Erased)
}

func (n needles) in(s string) bool { return n.re != nil && n.re.MatchString(s) }

func (n needles) walk(v any) any {
	switch x := v.(type) {
	case string:
		return n.replace(x)
	case []any:
		for i := range x {
			x[i] = n.walk(x[i])
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			out[n.replace(k)] = n.walk(val)
		}
		return out
	}
	return v
}

// freeText is, per event type, the keys of an event's data that hold text
// people typed (subjects, custom field values): anonymising a ticket erases
// them whatever they say. Enumerations (status, priority…) stay, as the
// reports compute from them.
var freeText = map[string][]string{
	"created":         {"subject", "custom_fields"},
	"subject_changed": {"from", "to"},
	"field_changed":   {"from", "to"},
}

// scrubEvent erases an anonymised ticket's event data: the free-text keys
// of its type and the needles anywhere.
func scrubEvent(typ, data string, n needles) string {
	var m map[string]any
	if err := json.Unmarshal([]byte(data), &m); err != nil {
		return "{}"
	}
	for _, k := range freeText[typ] {
		switch m[k].(type) {
		case map[string]any:
			m[k] = map[string]any{}
		case string:
			m[k] = Erased
		}
	}
	out, err := json.Marshal(n.walk(m))
	if err != nil {
		return "{}"
	}
	return string(out)
}
