package message

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// msg builds a message from header lines and a body, with LF line ends.
func msg(headers, body string) []byte {
	return []byte(headers + "\n\n" + body)
}

func TestParseEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		raw     []byte
		wantErr error
		check   func(t *testing.T, m *Message)
	}{
		{
			name:    "empty",
			raw:     nil,
			wantErr: ErrEmpty,
		},
		{
			name:    "only white space",
			raw:     []byte(" \r\n\t\n"),
			wantErr: ErrEmpty,
		},
		{
			name:    "no header block keeps the text",
			raw:     []byte("Hello there\nI need help with my order.\n"),
			wantErr: ErrMalformed,
			check: func(t *testing.T, m *Message) {
				if !strings.Contains(m.Text, "I need help with my order.") {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "encoded words in headers map and subject",
			raw: msg("From: =?utf-8?q?=C3=85se?= <ASE@Example.NO>\nSubject: =?utf-8?b?w4Z2w7hy?= =?utf-8?q?_og_=C3=A5?=\n"+
				"X-Custom: =?iso-8859-1?q?R=F8d?=\nDate: Mon, 4 Mar 2024 10:00:00 +0100", "x"),
			check: func(t *testing.T, m *Message) {
				if m.Subject != "Ævør og å" {
					t.Errorf("Subject = %q", m.Subject)
				}
				if m.From != (Address{Name: "Åse", Email: "ase@example.no"}) {
					t.Errorf("From = %+v", m.From)
				}
				if got := m.Headers["X-Custom"]; !slices.Equal(got, []string{"Rød"}) {
					t.Errorf("Headers[X-Custom] = %q", got)
				}
			},
		},
		{
			name: "unknown charset in one encoded word keeps the others",
			raw:  msg("From: a@example.com\nSubject: =?x-klingon?q?abc?= =?utf-8?q?gr=C3=B8nn?=", "x"),
			check: func(t *testing.T, m *Message) {
				if !strings.Contains(m.Subject, "grønn") || !strings.Contains(m.Subject, "=?x-klingon?q?abc?=") {
					t.Errorf("Subject = %q", m.Subject)
				}
			},
		},
		{
			name: "address lists",
			raw: msg("From: Ola <ola@example.no>\nTo: undisclosed-recipients:;\nCc: \"Hansen, Kari\" <kari@example.no>; per@example.no\n"+
				"Reply-To: Broken <broken@example.no", "x"),
			check: func(t *testing.T, m *Message) {
				if len(m.To) != 0 {
					t.Errorf("To = %+v", m.To)
				}
				want := []Address{{Name: "Hansen, Kari", Email: "kari@example.no"}, {Email: "per@example.no"}}
				if !slices.Equal(m.Cc, want) {
					t.Errorf("Cc = %+v, want %+v", m.Cc, want)
				}
				if len(m.ReplyTo) != 1 || m.ReplyTo[0].Email != "broken@example.no" {
					t.Errorf("ReplyTo = %+v", m.ReplyTo)
				}
			},
		},
		{
			name: "delivered-to family lower-cased and deduplicated",
			raw: msg("From: a@example.com\nDelivered-To: Support+T9@Ombud.example\nX-Original-To: <support+t9@ombud.example>\n"+
				"Envelope-To: sales@ombud.example", "x"),
			check: func(t *testing.T, m *Message) {
				want := []string{"support+t9@ombud.example", "sales@ombud.example"}
				if !slices.Equal(m.DeliveredTo, want) {
					t.Errorf("DeliveredTo = %q, want %q", m.DeliveredTo, want)
				}
			},
		},
		{
			name: "sender used when from is missing",
			raw:  msg("Sender: Robot <robot@example.com>\nSubject: x", "x"),
			check: func(t *testing.T, m *Message) {
				if m.From.Email != "robot@example.com" {
					t.Errorf("From = %+v", m.From)
				}
			},
		},
		{
			name: "us-ascii label on utf-8 text",
			raw:  msg("From: a@example.com\nContent-Type: text/plain; charset=us-ascii", "Blåbærsyltetøy"),
			check: func(t *testing.T, m *Message) {
				if m.Text != "Blåbærsyltetøy" {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "latin-1 bytes under a utf-8 label",
			raw:  msg("From: a@example.com\nContent-Type: text/plain; charset=utf-8", "Bl\xe5b\xe6r"),
			check: func(t *testing.T, m *Message) {
				if m.Text != "Blåbær" || len(m.Warnings) == 0 {
					t.Errorf("Text = %q, warnings %q", m.Text, m.Warnings)
				}
			},
		},
		{
			name: "format flowed with delsp",
			raw:  msg("From: a@example.com\nContent-Type: text/plain; charset=utf-8; format=flowed; delsp=yes", "Lang-\nt ord som \nfortsetter.\n>> sitat \n>> videre\n"),
			check: func(t *testing.T, m *Message) {
				if want := "Lang-\nt ord somfortsetter.\n>> sitatvidere"; !strings.HasPrefix(m.Text, want) {
					t.Errorf("Text = %q, want prefix %q", m.Text, want)
				}
			},
		},
		{
			name: "multipart without boundary keeps body",
			raw:  msg("From: a@example.com\nContent-Type: multipart/mixed", "Body without parts"),
			check: func(t *testing.T, m *Message) {
				if !strings.Contains(m.Text, "Body without parts") {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "html with undeclared charset falls back to meta",
			raw: msg("From: a@example.com\nContent-Type: multipart/alternative; boundary=b",
				"--b\nContent-Type: text/html\n\n<html><head><meta charset=\"iso-8859-1\"></head><body>K\xf8</body></html>\n--b--\n"),
			check: func(t *testing.T, m *Message) {
				if !strings.Contains(m.Text, "Kø") {
					t.Errorf("Text = %q", m.Text)
				}
			},
		},
		{
			name: "encrypted message warns",
			raw: msg("From: a@example.com\nContent-Type: multipart/encrypted; protocol=\"application/pgp-encrypted\"; boundary=e",
				"--e\nContent-Type: application/pgp-encrypted\n\nVersion: 1\n--e\nContent-Type: application/octet-stream\n\n-----BEGIN PGP MESSAGE-----\n--e--\n"),
			check: func(t *testing.T, m *Message) {
				if len(m.Warnings) == 0 || len(m.Attachments) != 2 {
					t.Errorf("warnings %q, %d attachments", m.Warnings, len(m.Attachments))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.raw)
			if m == nil {
				t.Fatal("nil Message")
			}
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("too large", func(t *testing.T) {
		raw := append([]byte("From: a@example.com\nSubject: Big\n\n"), bytes.Repeat([]byte("x"), MaxSize)...)
		m, err := Parse(raw)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("err = %v", err)
		}
		if m.Subject != "Big" || len(m.Text) > maxFallbackBody {
			t.Errorf("Subject %q, %d bytes of text", m.Subject, len(m.Text))
		}
	})
	t.Run("boundary bomb", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("From: a@example.com\nSubject: Nested\n")
		for i := 0; i < maxBoundaries+10; i++ {
			fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n", i, i)
		}
		m, err := Parse([]byte(b.String()))
		if !errors.Is(err, ErrMalformed) || m.Subject != "Nested" {
			t.Errorf("err = %v, Subject %q", err, m.Subject)
		}
	})
	t.Run("deep but allowed nesting", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("From: a@example.com\nSubject: Nested\nContent-Type: multipart/mixed; boundary=b0\n\n")
		const depth = 300
		for i := 0; i < depth; i++ {
			fmt.Fprintf(&b, "--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n", i, i+1)
		}
		fmt.Fprintf(&b, "--b%d\nContent-Type: text/plain\n\ndeep text\n", depth)
		for i := depth; i >= 0; i-- {
			fmt.Fprintf(&b, "--b%d--\n", i)
		}
		m, err := Parse([]byte(b.String()))
		if err != nil || !strings.Contains(m.Text, "deep text") {
			t.Errorf("err = %v, Text %q", err, m.Text)
		}
	})
	t.Run("attachment cap", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("From: a@example.com\nContent-Type: multipart/mixed; boundary=m\n\n--m\nContent-Type: text/plain\n\nMany files\n")
		for i := 0; i < MaxAttachments+20; i++ {
			fmt.Fprintf(&b, "--m\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=f%d.bin\n\n%d\n", i, i)
		}
		b.WriteString("--m--\n")
		m, err := Parse([]byte(b.String()))
		if err != nil || len(m.Attachments) != MaxAttachments || len(m.Warnings) == 0 {
			t.Errorf("err = %v, %d attachments, warnings %q", err, len(m.Attachments), m.Warnings)
		}
	})
}

func TestParseDate(t *testing.T) {
	cet := time.FixedZone("", 3600)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"Mon, 4 Mar 2024 10:00:00 +0100", time.Date(2024, 3, 4, 10, 0, 0, 0, cet)},
		{"Mon, 4 Mar 2024 10:00:00 +0100 (CET)", time.Date(2024, 3, 4, 10, 0, 0, 0, cet)},
		{"4 Mar 2024 10:00 +0100", time.Date(2024, 3, 4, 10, 0, 0, 0, cet)},
		{"Mon., 4 Mar 2024 10:00:00 +0100", time.Date(2024, 3, 4, 10, 0, 0, 0, cet)},
		{"Mon Mar  4 10:00:00 2024", time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)},
		{"2024-03-04T10:00:00+01:00", time.Date(2024, 3, 4, 10, 0, 0, 0, cet)},
		{"Monday, March 4, 2024 10:00 AM", time.Date(2024, 3, 4, 10, 0, 0, 0, time.UTC)},
		{"", time.Time{}},
		{"yesterday", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseDate(tt.in); !got.Equal(tt.want) {
				t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"<a@b>", []string{"a@b"}},
		{"<a@b> <c@d>\t<e@f>", []string{"a@b", "c@d", "e@f"}},
		{"<a@b> (John's message of Monday)", []string{"a@b"}},
		{"<a@b>,<c@d>", []string{"a@b", "c@d"}},
		{"a@b c@d", []string{"a@b", "c@d"}},
		{"<>", nil},
		{"<unclosed@b", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := parseIDs(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("parseIDs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanFilename(t *testing.T) {
	tests := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\ola\doc.docx`, "doc.docx"},
		{"a:b*c?.txt", "abc.txt"},
		{"tab\there.txt", "tabhere.txt"},
		{"..", ""},
		{"  spaced   name .pdf ", "spaced name .pdf"},
		{strings.Repeat("å", 200) + ".pdf", strings.Repeat("å", 125) + ".pdf"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := cleanFilename(tt.in); got != tt.want {
				t.Errorf("cleanFilename(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
