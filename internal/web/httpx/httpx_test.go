package httpx

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/opt"
)

type sample struct {
	Subject  string           `json:"subject"`
	Count    int              `json:"count"`
	Tags     []string         `json:"tags"`
	Assignee opt.Value[int64] `json:"assignee_id"`
	Nested   *struct {
		Email string `json:"email"`
	} `json:"requester"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, ct, body string
		code           apperr.Code
		field          string
	}{
		{"ok", "application/json", `{"subject":"x","count":2}`, "", ""},
		{"ok charset", "application/json; charset=utf-8", `{"subject":"x"}`, "", ""},
		{"empty", "application/json", ``, apperr.CodeInvalid, "body"},
		{"malformed", "application/json", `{"subject":`, apperr.CodeInvalid, "body"},
		{"syntax", "application/json", `{"subject" "x"}`, apperr.CodeInvalid, "body"},
		{"unknown field", "application/json", `{"subjekt":"x"}`, apperr.CodeInvalid, "subjekt"},
		{"wrong type", "application/json", `{"count":"two"}`, apperr.CodeInvalid, "count"},
		{"wrong nested type", "application/json", `{"requester":{"email":5}}`, apperr.CodeInvalid, "requester.email"},
		{"wrong opt type", "application/json", `{"assignee_id":"x"}`, apperr.CodeInvalid, "assignee_id"},
		{"array body", "application/json", `[1,2]`, apperr.CodeInvalid, "body"},
		{"two objects", "application/json", `{"subject":"a"}{"subject":"b"}`, apperr.CodeInvalid, "body"},
		{"trailing garbage", "application/json", `{"subject":"a"} xyz`, apperr.CodeInvalid, "body"},
		{"form", "application/x-www-form-urlencoded", `subject=x`, apperr.CodeUnsupported, ""},
		{"invalid UTF-8", "application/json", `{"subject":"caf` + "\xe9" + `"}`, apperr.CodeInvalid, "body"},
		{"truncated UTF-8", "application/json", `{"subject":"` + "\xe2\x82" + `"}`, apperr.CodeInvalid, "body"},
		{"lone high surrogate", "application/json", `{"subject":"\ud83d x"}`, apperr.CodeInvalid, "body"},
		{"lone low surrogate", "application/json", `{"subject":"\udc00"}`, apperr.CodeInvalid, "body"},
		{"surrogate pair", "application/json", `{"subject":"\ud83d\ude00 \u00e9 \\ud800"}`, "", ""},
		{"replacement character sent", "application/json", `{"subject":"\ufffd` + "\uFFFD" + `"}`, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ct)
			var s sample
			err := DecodeJSON(r, &s)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			e := apperr.As(err)
			if e.Code != tt.code {
				t.Fatalf("code %s (%v), want %s", e.Code, err, tt.code)
			}
			if tt.field != "" {
				if _, ok := e.Fields[tt.field]; !ok {
					t.Fatalf("fields %v lack %q", e.Fields, tt.field)
				}
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("POST", "/", strings.NewReader(`{"subject":"`+strings.Repeat("x", 100)+`"}`))
	r.Body = http.MaxBytesReader(w, r.Body, 20)
	var s sample
	if err := DecodeJSON(r, &s); !apperr.Is(err, apperr.CodeTooLarge) {
		t.Fatalf("got %v", err)
	}
}

func TestStatus(t *testing.T) {
	for code, want := range map[apperr.Code]int{apperr.CodeInvalid: 400, apperr.CodeUnprocessable: 422, apperr.CodeNotFound: 404,
		apperr.CodeConflict: 409, apperr.CodeForbidden: 403, apperr.CodeUnauthenticated: 401, apperr.CodeRateLimited: 429,
		apperr.CodeTooLarge: 413, apperr.CodeUnsupported: 415, apperr.CodeInternal: 500} {
		if got := Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
	}
}

// FuzzDecodeJSON: whatever the body, decoding returns nil or a client
// error (never internal) and never panics.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"subject":"x"}`, `{"count":1e99}`, `{"tags":[1]}`, `nul`, `{"requester":null}`, "\x00", `{"assignee_id":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var s sample
		err := DecodeJSONReader(strings.NewReader(body), &s)
		if err != nil && apperr.CodeOf(err) == apperr.CodeInternal {
			t.Fatalf("internal error for %q: %v", body, err)
		}
	})
}
