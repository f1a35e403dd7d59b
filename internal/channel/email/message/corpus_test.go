package message

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // calendar TZIDs resolve the same on every machine
	"unicode/utf8"
)

// The corpus under testdata/ holds realistic messages written for Ombud;
// testdata/expected.json says what each must parse to. Flags (error, auto,
// signed, bounce, calendar, token, attachments) are checked on every
// message, so an expectation that leaves them out asserts their absence.
// Other fields are checked only when present.
type expectation struct {
	Error        bool     `json:"error"`
	Subject      *string  `json:"subject"`
	CleanSubject *string  `json:"clean_subject"`
	Token        int64    `json:"token"`
	From         *string  `json:"from"`
	FromName     *string  `json:"from_name"`
	To           []string `json:"to"`
	Cc           []string `json:"cc"`
	ReplyTo      []string `json:"reply_to"`
	DeliveredTo  []string `json:"delivered_to"`
	PlusTag      string   `json:"plus_tag"`
	MessageID    *string  `json:"message_id"`
	InReplyTo    []string `json:"in_reply_to"`
	References   []string `json:"references"`
	Date         *string  `json:"date"`
	SkipText     bool     `json:"skip_text"`

	TextContains         []string `json:"text_contains"`
	TextNotContains      []string `json:"text_not_contains"`
	HTMLContains         []string `json:"html_contains"`
	ReplyContains        []string `json:"reply_contains"`
	ReplyNotContains     []string `json:"reply_not_contains"`
	ReplyHTMLContains    []string `json:"reply_html_contains"`
	ReplyHTMLNotContains []string `json:"reply_html_not_contains"`

	Attachments  []attachmentExpectation `json:"attachments"`
	Auto         bool                    `json:"auto"`
	AutoReason   string                  `json:"auto_reason"`
	Signed       bool                    `json:"signed"`
	Warnings     *bool                   `json:"warnings"`
	Bounce       *bounceExpectation      `json:"bounce"`
	Calendar     *calendarExpectation    `json:"calendar"`
	Forwarded    []forwardExpectation    `json:"forwarded"`
	ForwardDepth int                     `json:"forward_depth"`
}

type attachmentExpectation struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Inline bool   `json:"inline"`
	CID    string `json:"cid"`
	Size   int    `json:"size"`
}

type bounceExpectation struct {
	OriginalMessageID  string   `json:"original_message_id"`
	Recipients         []string `json:"recipients"`
	Action             string   `json:"action"`
	Status             string   `json:"status"`
	DiagnosticContains string   `json:"diagnostic_contains"`
	Permanent          bool     `json:"permanent"`
}

type calendarExpectation struct {
	Method, Summary, Location, Organizer string
	Start, End                           string
}

type forwardExpectation struct {
	Subject      string `json:"subject"`
	From         string `json:"from"`
	TextContains string `json:"text_contains"`
	Attachments  int    `json:"attachments"`
}

// minCorpus is the least number of messages the corpus must hold.
const minCorpus = 45

func loadExpectations(t *testing.T) map[string]expectation {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatalf("read expectations: %v", err)
	}
	var exp map[string]expectation
	if err := json.Unmarshal(data, &exp); err != nil {
		t.Fatalf("decode expectations: %v", err)
	}
	return exp
}

func corpusFiles(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		tb.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func TestCorpus(t *testing.T) {
	exps := loadExpectations(t)
	files := corpusFiles(t)
	if len(files) < minCorpus {
		t.Fatalf("corpus has %d messages, want at least %d", len(files), minCorpus)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		seen[name] = true
		t.Run(strings.TrimSuffix(name, ".eml"), func(t *testing.T) {
			exp, ok := exps[name]
			if !ok {
				t.Fatalf("no expectation for %s in testdata/expected.json", name)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw)
			if m == nil {
				t.Fatal("Parse returned nil Message")
			}
			if (err != nil) != exp.Error {
				t.Errorf("Parse error = %v, want error: %v", err, exp.Error)
			}
			checkMessage(t, m, exp)
		})
	}
	for name := range exps {
		if !seen[name] {
			t.Errorf("expectation for %s has no message file", name)
		}
	}
}

func checkMessage(t *testing.T, m *Message, exp expectation) {
	t.Helper()
	for _, s := range []string{m.Subject, m.Text, m.HTML, m.From.Name} {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8 in %q", s)
		}
	}
	if exp.Subject != nil && m.Subject != *exp.Subject {
		t.Errorf("Subject = %q, want %q", m.Subject, *exp.Subject)
	}
	if exp.CleanSubject != nil {
		if got := StripReplyPrefixes(m.Subject); got != *exp.CleanSubject {
			t.Errorf("StripReplyPrefixes(%q) = %q, want %q", m.Subject, got, *exp.CleanSubject)
		}
	}
	if got := TicketToken(m.Subject); got != exp.Token {
		t.Errorf("TicketToken(%q) = %d, want %d", m.Subject, got, exp.Token)
	}
	if exp.From != nil && m.From.Email != *exp.From {
		t.Errorf("From.Email = %q, want %q", m.From.Email, *exp.From)
	}
	if exp.FromName != nil && m.From.Name != *exp.FromName {
		t.Errorf("From.Name = %q, want %q", m.From.Name, *exp.FromName)
	}
	checkAddrs(t, "To", m.To, exp.To)
	checkAddrs(t, "Cc", m.Cc, exp.Cc)
	checkAddrs(t, "ReplyTo", m.ReplyTo, exp.ReplyTo)
	if exp.DeliveredTo != nil && !slices.Equal(m.DeliveredTo, exp.DeliveredTo) {
		t.Errorf("DeliveredTo = %q, want %q", m.DeliveredTo, exp.DeliveredTo)
	}
	if exp.PlusTag != "" {
		if len(m.DeliveredTo) == 0 {
			t.Errorf("PlusTag: no Delivered-To")
		} else if got := PlusTag(m.DeliveredTo[0]); got != exp.PlusTag {
			t.Errorf("PlusTag(%q) = %q, want %q", m.DeliveredTo[0], got, exp.PlusTag)
		}
	}
	if exp.MessageID != nil && m.MessageID != *exp.MessageID {
		t.Errorf("MessageID = %q, want %q", m.MessageID, *exp.MessageID)
	}
	if exp.InReplyTo != nil && !slices.Equal(m.InReplyTo, exp.InReplyTo) {
		t.Errorf("InReplyTo = %q, want %q", m.InReplyTo, exp.InReplyTo)
	}
	if exp.References != nil && !slices.Equal(m.References, exp.References) {
		t.Errorf("References = %q, want %q", m.References, exp.References)
	}
	if exp.Date != nil {
		if *exp.Date == "" {
			if !m.Date.IsZero() {
				t.Errorf("Date = %v, want zero", m.Date)
			}
		} else if want, _ := time.Parse(time.RFC3339, *exp.Date); !m.Date.Equal(want) {
			t.Errorf("Date = %v, want %v", m.Date, want)
		}
	}
	if !exp.SkipText && !exp.Error && len(exp.TextContains) > 0 && strings.TrimSpace(m.Text) == "" {
		t.Errorf("Text is empty")
	}
	containsAll(t, "Text", m.Text, exp.TextContains, exp.TextNotContains)
	containsAll(t, "HTML", m.HTML, exp.HTMLContains, nil)
	if exp.ReplyContains != nil || exp.ReplyNotContains != nil {
		containsAll(t, "ExtractReply", ExtractReply(m.Text), exp.ReplyContains, exp.ReplyNotContains)
	}
	if exp.ReplyHTMLContains != nil || exp.ReplyHTMLNotContains != nil {
		if m.HTML == "" {
			t.Errorf("no HTML body to extract a reply from")
		}
		containsAll(t, "ExtractReplyHTML", ExtractReplyHTML(m.HTML), exp.ReplyHTMLContains, exp.ReplyHTMLNotContains)
	}
	checkAttachments(t, m.Attachments, exp.Attachments)
	if m.AutoSubmitted != exp.Auto {
		t.Errorf("AutoSubmitted = %v (%q), want %v", m.AutoSubmitted, m.AutoReason, exp.Auto)
	}
	if !strings.Contains(m.AutoReason, exp.AutoReason) {
		t.Errorf("AutoReason = %q, want it to contain %q", m.AutoReason, exp.AutoReason)
	}
	if m.Signed != exp.Signed {
		t.Errorf("Signed = %v, want %v", m.Signed, exp.Signed)
	}
	if exp.Warnings != nil && (len(m.Warnings) > 0) != *exp.Warnings {
		t.Errorf("Warnings = %q, want present: %v", m.Warnings, *exp.Warnings)
	}
	checkBounce(t, m.Bounce, exp.Bounce)
	checkCalendar(t, m.Calendar, exp.Calendar)
	checkForwarded(t, m, exp)
}

func checkAddrs(t *testing.T, field string, got []Address, want []string) {
	t.Helper()
	if want == nil {
		return
	}
	var emails []string
	for _, a := range got {
		emails = append(emails, a.Email)
	}
	if !slices.Equal(emails, want) {
		t.Errorf("%s = %q, want %q", field, emails, want)
	}
}

func containsAll(t *testing.T, field, s string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("%s does not contain %q:\n%s", field, w, s)
		}
	}
	for _, w := range notWant {
		if strings.Contains(s, w) {
			t.Errorf("%s contains %q:\n%s", field, w, s)
		}
	}
}

func checkAttachments(t *testing.T, got []Attachment, want []attachmentExpectation) {
	t.Helper()
	if len(got) != len(want) {
		var names []string
		for _, a := range got {
			names = append(names, a.Filename+" ("+a.ContentType+")")
		}
		t.Errorf("%d attachments %q, want %d", len(got), names, len(want))
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Filename != w.Name || g.ContentType != w.Type || g.Inline != w.Inline || g.ContentID != w.CID {
			t.Errorf("attachment %d = {%q %q inline=%v cid=%q}, want {%q %q inline=%v cid=%q}",
				i, g.Filename, g.ContentType, g.Inline, g.ContentID, w.Name, w.Type, w.Inline, w.CID)
		}
		if w.Size > 0 && len(g.Data) != w.Size {
			t.Errorf("attachment %d has %d bytes, want %d", i, len(g.Data), w.Size)
		}
	}
}

func checkBounce(t *testing.T, got *Bounce, want *bounceExpectation) {
	t.Helper()
	if (got != nil) != (want != nil) {
		t.Errorf("Bounce = %+v, want present: %v", got, want != nil)
		return
	}
	if want == nil {
		return
	}
	if got.OriginalMessageID != want.OriginalMessageID || !slices.Equal(got.Recipients, want.Recipients) ||
		got.Action != want.Action || got.Status != want.Status || got.Permanent != want.Permanent ||
		!strings.Contains(got.Diagnostic, want.DiagnosticContains) {
		t.Errorf("Bounce = %+v, want %+v", *got, *want)
	}
}

func checkCalendar(t *testing.T, got *Calendar, want *calendarExpectation) {
	t.Helper()
	if (got != nil) != (want != nil) {
		t.Errorf("Calendar = %+v, want present: %v", got, want != nil)
		return
	}
	if want == nil {
		return
	}
	start, _ := time.Parse(time.RFC3339, want.Start)
	end, _ := time.Parse(time.RFC3339, want.End)
	if got.Method != want.Method || got.Summary != want.Summary || got.Location != want.Location ||
		got.Organizer != want.Organizer || !got.Start.Equal(start) || !got.End.Equal(end) {
		t.Errorf("Calendar = %+v, want %+v", *got, *want)
	}
}

func checkForwarded(t *testing.T, m *Message, exp expectation) {
	t.Helper()
	if exp.Forwarded == nil {
		if len(m.Forwarded) != 0 {
			t.Errorf("%d forwarded messages, want none", len(m.Forwarded))
		}
		return
	}
	if len(m.Forwarded) != len(exp.Forwarded) {
		t.Fatalf("%d forwarded messages, want %d", len(m.Forwarded), len(exp.Forwarded))
	}
	for i, w := range exp.Forwarded {
		f := m.Forwarded[i]
		if f.Subject != w.Subject || f.From.Email != w.From || !strings.Contains(f.Text, w.TextContains) || len(f.Attachments) != w.Attachments {
			t.Errorf("forwarded %d = {%q %q %d attachments}\n%s\nwant %+v", i, f.Subject, f.From.Email, len(f.Attachments), f.Text, w)
		}
	}
	if exp.ForwardDepth > 0 {
		depth := 0
		for cur := m; len(cur.Forwarded) > 0; cur = cur.Forwarded[0] {
			depth++
		}
		if depth != exp.ForwardDepth {
			t.Errorf("forward depth %d, want %d", depth, exp.ForwardDepth)
		}
	}
}

// TestParseDeterministic guards against map-order effects in headers,
// warnings and attachments.
func TestParseDeterministic(t *testing.T) {
	for _, path := range corpusFiles(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := Parse(raw)
		b, _ := Parse(raw)
		if !slices.Equal(a.Warnings, b.Warnings) || a.Text != b.Text || len(a.Attachments) != len(b.Attachments) {
			t.Errorf("%s: two parses differ", path)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	var msgs [][]byte
	total := 0
	for _, path := range corpusFiles(b) {
		raw, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, raw)
		total += len(raw)
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, raw := range msgs {
			_, _ = Parse(raw)
		}
	}
}
