package audit

import (
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
)

// FilterParams are the query parameters ParseFilter reads; the API and the
// audit page share them, so a page's export link is its filter.
var FilterParams = []string{"actor", "action", "target", "q", "ip", "from", "to"}

// ParseFilter reads a filter from query parameters (get returns "" for a
// missing one). from and to are RFC 3339 times or dates (YYYY-MM-DD, the
// start of that day in loc; to is then the end of that day). Errors name
// the parameter at fault.
func ParseFilter(get func(string) string, loc *time.Location) (Filter, error) {
	if loc == nil {
		loc = time.UTC
	}
	var f Filter
	errs := apperr.FieldErrors{}
	if v := strings.TrimSpace(get("actor")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			errs.Add("actor", "is not an agent id")
		}
		f.ActorID = n
	}
	f.Action = strings.TrimSpace(get("action"))
	f.Target = strings.TrimSpace(get("target"))
	f.Text = strings.TrimSpace(get("q"))
	f.IP = strings.TrimSpace(get("ip"))
	var ok bool
	if f.From, ok = parseWhen(get("from"), loc, false); !ok {
		errs.Add("from", "is not a date or an RFC 3339 time")
	}
	if f.To, ok = parseWhen(get("to"), loc, true); !ok {
		errs.Add("to", "is not a date or an RFC 3339 time")
	}
	if err := errs.Err(); err != nil {
		return f, err
	}
	return f, f.Validate()
}

func parseWhen(s string, loc *time.Location, end bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if len(s) > 40 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	d, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil || d.Year() < 1970 || d.Year() > 9999 {
		return time.Time{}, false
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d, true
}
