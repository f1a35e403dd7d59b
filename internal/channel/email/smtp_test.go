package email_test

import (
	"net/textproto"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/db"
)

// TestSMTPLineTooLong: a line over the limit is a permanent 5xx, so the
// sender bounces the message instead of retrying it for days (a 451 would
// make it come back over and over with the same line).
func TestSMTPLineTooLong(t *testing.T) {
	e := startMail(t, db.SQLite)
	long := strings.Repeat("x", 5000)
	cases := []struct {
		name string
		// lines sent after the greeting and EHLO; the last one is answered
		// with the code checked.
		send []string
	}{
		{"in the message", []string{"MAIL FROM:<ola@example.no>", "RCPT TO:<support@example.com>", "DATA",
			"From: ola@example.no\r\nTo: support@example.com\r\nSubject: long\r\n\r\n" + long + "\r\n."}},
		{"in a header", []string{"MAIL FROM:<ola@example.no>", "RCPT TO:<support@example.com>", "DATA",
			"From: ola@example.no\r\nSubject: " + long + "\r\n\r\nhei\r\n."}},
		{"as a command", []string{"MAIL FROM:<ola@example.no> " + long}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := textproto.Dial("tcp", e.smtpAddr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, _, err := c.ReadResponse(220); err != nil {
				t.Fatalf("greeting: %v", err)
			}
			if err := c.PrintfLine("EHLO client.test"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := c.ReadResponse(250); err != nil {
				t.Fatalf("EHLO: %v", err)
			}
			for i, line := range tc.send {
				if err := c.PrintfLine("%s", line); err != nil {
					t.Fatal(err)
				}
				if i == len(tc.send)-1 {
					break
				}
				want := 250
				if line == "DATA" {
					want = 354
				}
				if _, msg, err := c.ReadResponse(want); err != nil {
					t.Fatalf("%.20s: %v %s", line, err, msg)
				}
			}
			code, msg, _ := c.ReadResponse(0)
			if code/100 != 5 {
				t.Fatalf("line too long answered %d %s, want a permanent 5xx", code, msg)
			}
			if !strings.Contains(strings.ToLower(msg), "too long") {
				t.Errorf("reply %d %q does not say the line is too long", code, msg)
			}
		})
	}
}
