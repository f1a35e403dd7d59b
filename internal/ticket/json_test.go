package ticket

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/page"
)

// stdJSON is what httpx.WriteJSON writes: encoding/json without HTML
// escaping, a newline trimmed.
func stdJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// jsonStrings are the string shapes encoding/json treats specially.
var jsonStrings = []string{
	"", "plain", `quote " and backslash \`, "<html> & 'apos'", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "ø æ å č ž š 日本", "emoji 🎉", "bad \xff\xfe utf8 \xc3", "sep \u2028 \u2029 end",
	"truncated \xe6\x97", "/slash/", "\u00a0nbsp",
}

func TestTicketJSON(t *testing.T) {
	n := func(v int64) *int64 { return &v }
	at := time.Date(2026, 12, 5, 7, 1, 2, 0, time.UTC)
	nanos := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	millis := time.Date(1999, 12, 31, 23, 59, 59, 120000000, time.UTC)
	zoned := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("x", 3600+1800))
	cases := map[string]Ticket{
		"zero":           {},
		"empty slices":   {Tags: []string{}, FollowerIDs: []int64{}, CustomFields: map[string]any{}},
		"requester":      {ID: 7, Requester: &Person{ID: 3, Type: "customer", Name: "Åse \"Q\""}},
		"requester mail": {Requester: &Person{ID: 3, Type: "customer", Name: "n", Email: "a+b@x.example"}},
		"full": {
			ID: 123456, Subject: "Refund <order> #42 & more", Status: StatusPending, Priority: "urgent", Type: "incident",
			Channel: "email", RequesterID: 99, OrganizationID: n(5), AssigneeID: n(-1), TeamID: n(0), Language: "nb",
			Tags: []string{"vip", "refund"}, FollowerIDs: []int64{1, 20, 300},
			CustomFields: map[string]any{"b": 1.5, "a": "x<y", "c": []any{true, nil, "z"}, "d": map[string]any{"k": 2.0}},
			MergedIntoID: n(9223372036854775807), ExternalID: "ext-1", CommentCount: 12, Version: 34,
			CreatedAt: nanos, UpdatedAt: millis, SolvedAt: &at, ClosedAt: &zoned,
		},
	}
	for _, s := range jsonStrings {
		cases["string "+s] = Ticket{Subject: s, Language: s, ExternalID: s, Status: Status(s), Tags: []string{s, s},
			Requester: &Person{Name: s, Email: s, Type: s}, CustomFields: map[string]any{s: s}}
	}
	for name, tk := range cases {
		got, ok := tk.AppendJSON(nil)
		if !ok {
			t.Errorf("%s: not written", name)
			continue
		}
		if want := stdJSON(t, tk); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	// Times encoding/json refuses are left to it.
	for _, bad := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("s", 30))} {
		if _, ok := (&Ticket{CreatedAt: bad}).AppendJSON(nil); ok {
			t.Errorf("%v written by hand; encoding/json refuses it", bad)
		}
	}
	// Random strings and bytes.
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []string{"a", "\"", "\\", "\n", "\x00", "\x1f", "\x7f", "\xff", "\xe2\x80\xa8", "\xe2\x80", "å", "<", "&", "🎉", "\xf0\x9f"}
	for range 2000 {
		var s string
		for range r.IntN(12) {
			s += alphabet[r.IntN(len(alphabet))]
		}
		tk := Ticket{Subject: s, Tags: []string{s}}
		got, _ := tk.AppendJSON(nil)
		if want := stdJSON(t, tk); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got %s\nwant %s", s, got, want)
		}
	}
}

func TestTicketListJSON(t *testing.T) {
	cursor := "eyJrIjoxfQ"
	total := int64(41000)
	two := []Ticket{{ID: 1, Tags: []string{}}, {ID: 2, Subject: "x\ny", FollowerIDs: []int64{4}}}
	for name, l := range map[string]page.List[Ticket]{
		"nil data":   {},
		"empty":      page.All[Ticket](nil),
		"two":        {Data: two},
		"next":       {Data: two, NextCursor: &cursor},
		"total":      {Data: two, Total: &total},
		"estimated":  {Data: two, NextCursor: &cursor, Total: &total, TotalEstimated: true},
		"only flags": {Data: []Ticket{}, TotalEstimated: true},
	} {
		got, ok := AppendListJSON(nil, &l)
		if !ok {
			t.Errorf("%s: not written", name)
			continue
		}
		if want := stdJSON(t, l); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
	bad := page.List[Ticket]{Data: []Ticket{{CreatedAt: time.Date(10001, 1, 1, 0, 0, 0, 0, time.UTC)}}}
	if _, ok := AppendListJSON(nil, &bad); ok {
		t.Error("a row encoding/json refuses was written by hand")
	}
}
