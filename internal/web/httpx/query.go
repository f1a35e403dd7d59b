package httpx

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
)

// ParseQuery parses a raw query string strictly, where url.ParseQuery (and
// so r.URL.Query()) drops what it cannot decode and carries on: a client
// that sent ?cursor=%%% would silently get page 1. Refused, with 400:
//   - malformed percent-encoding or invalid UTF-8, naming the parameter
//     (or "query" when the name itself is broken);
//   - ';' as a separator ("query");
//   - a parameter given twice, unless multi(name) says it may repeat
//     (multi may be nil: nothing repeats).
func ParseQuery(raw string, multi func(name string) bool) (url.Values, error) {
	out := url.Values{}
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		if strings.Contains(pair, ";") {
			return nil, apperr.InvalidField("query", "separates parameters with ';'; use '&'")
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil || !utf8.ValidString(key) {
			return nil, apperr.InvalidField("query", "holds a parameter name that is not valid percent-encoded UTF-8")
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, apperr.InvalidField(fieldName(key), "is not valid percent-encoding")
		}
		if !utf8.ValidString(value) {
			return nil, apperr.InvalidField(fieldName(key), "is not valid UTF-8")
		}
		if _, seen := out[key]; seen && (multi == nil || !multi(key)) {
			return nil, apperr.InvalidField(fieldName(key), "is given more than once; send it once")
		}
		out[key] = append(out[key], value)
	}
	return out, nil
}

// fieldName keeps an error's field name printable.
func fieldName(key string) string {
	if key == "" || strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "query"
	}
	return key
}

// CheckQueryStrict runs ParseQuery on the request's query string. The
// handlers go on reading r.URL.Query(), which gives the same values once
// this check has passed.
func CheckQueryStrict(r *http.Request, multi func(name string) bool) error {
	_, err := ParseQuery(r.URL.RawQuery, multi)
	return err
}
