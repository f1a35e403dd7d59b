package phone_test

import (
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/channel/phone"
)

func TestParse(t *testing.T) {
	cases := []struct {
		body  string
		field string // "" = accepted
	}{
		{`{"call_id":"a","event":"started","from":"+47 912 34 567"}`, ""},
		{`{"call_id":"a","event":"ended","from":"91234567","duration_s":30,"recording_url":"https://r.example/a","started_at":"2026-01-02T15:04:05Z","agent_email":"a@b.example","extra":1}`, ""},
		{`{"event":"started","from":"+4791234567"}`, "call_id"},
		{`{"call_id":"a","event":"ring","from":"+4791234567"}`, "event"},
		{`{"call_id":"a","event":"started"}`, "from"},
		{`{"call_id":"a","event":"started","from":"hello"}`, "from"},
		{`{"call_id":"a","event":"started","from":"+4791234567","to":"x"}`, "to"},
		{`{"call_id":"a","event":"started","from":"+4791234567","agent_email":"nobody"}`, "agent_email"},
		{`{"call_id":"a","event":"started","from":"+4791234567","started_at":"yesterday"}`, "started_at"},
		{`{"call_id":"a","event":"started","from":"+4791234567","duration_s":"long"}`, "duration_s"},
		{`{"call_id":"a","event":"started","from":"+4791234567","recording_url":"javascript:x"}`, "recording_url"},
		{`{"call_id":"a","event":"started","from":"+4791234567"} {}`, "body"},
		{`[]`, "body"},
	}
	for _, c := range cases {
		_, err := phone.Parse([]byte(c.body))
		if c.field == "" {
			if err != nil {
				t.Errorf("%s: %v", c.body, err)
			}
			continue
		}
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.CodeInvalid || ae.Fields[c.field] == "" {
			t.Errorf("%s: %v, want a problem with %s", c.body, err, c.field)
		}
	}
}

func TestE164(t *testing.T) {
	cases := []struct{ in, cc, want string }{
		{"+47 912 34 567", "", "+4791234567"},
		{"0047 912 34 567", "", "+4791234567"},
		{"912 34 567", "47", "+4791234567"},
		{"08-123 456 78", "46", "+46812345678"},
		{"(020) 7946 0958", "44", "+442079460958"},
		{"912 34 567", "", "91234567"},
	}
	for _, c := range cases {
		if got, err := phone.E164(c.in, c.cc); err != nil || got != c.want {
			t.Errorf("E164(%q, %q) = %q, %v; want %q", c.in, c.cc, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "abc", "+0123456789", "+1234567890123456"} {
		if got, err := phone.E164(bad, "47"); err == nil {
			t.Errorf("E164(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzParse: any body is either accepted with its invariants or refused
// as invalid input naming a field, never a panic or another error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"call_id":"a","event":"started","from":"+4791234567"}`))
	f.Add([]byte(`{"call_id":"a","event":"ended","from":"91234567","duration_s":30,"recording_url":"https://r.example/a"}`))
	f.Add([]byte(`{"duration_s":1e99}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := phone.Parse(b)
		if err != nil {
			if ae := apperr.As(err); ae == nil || ae.Code != apperr.CodeInvalid || len(ae.Fields) == 0 {
				t.Fatalf("error %v is not invalid input naming a field", err)
			}
			return
		}
		if p.CallID == "" || len(p.CallID) > phone.MaxCallID || p.From == "" || p.DurationS < 0 || p.DurationS > phone.MaxDuration {
			t.Fatalf("accepted %+v", p)
		}
		if _, err := phone.E164(p.From, ""); err != nil {
			t.Fatalf("accepted from %q: %v", p.From, err)
		}
	})
}
