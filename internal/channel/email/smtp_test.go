package email_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/db"
)

// TestSMTPLineTooLong: a line over the limit is a permanent 5xx, so the
// sender bounces the message instead of retrying it for days (a 451 would
// make it come back over and over with the same line).
func TestSMTPLineTooLong(t *testing.T) {
	e := startMail(t, db.SQLite)
	// Just over go-smtp's 2000: the whole request then fits one read, so
	// the server closes with nothing unread and the client gets its reply
	// (with bytes left unread the close is a reset, which may discard it).
	long := strings.Repeat("x", 2100)
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

// smtpClient is a raw SMTP conversation over loopback.
type smtpClient struct {
	t *testing.T
	*textproto.Conn
}

func dialSMTP(t *testing.T, addr string) *smtpClient {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetDeadline(time.Now().Add(15 * time.Second)) // a hung server fails the test, not the run
	c := textproto.NewConn(nc)
	t.Cleanup(func() { c.Close() })
	sc := &smtpClient{t, c}
	sc.expect(220, "")
	return sc
}

// cmd sends a line (empty: nothing) and reads the reply, failing unless
// its code is want.
func (c *smtpClient) expect(want int, line string) string {
	c.t.Helper()
	if line != "" {
		if err := c.PrintfLine("%s", line); err != nil {
			c.t.Fatal(err)
		}
	}
	code, msg, err := c.ReadResponse(0)
	if code != want {
		c.t.Fatalf("%.30q answered %d %s (%v), want %d", line, code, msg, err, want)
	}
	return msg
}

// TestSMTPShutdown: stopping the listener closes idle sessions at once
// with a 421, lets a message being sent finish within the grace, and
// answers 421 to one still being sent when the grace is over; Shutdown
// returns without error well before the caller's deadline.
func TestSMTPShutdown(t *testing.T) {
	e := startMail(t, db.SQLite)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := email.NewListener(e.Sys.Email, "mx.ombud.test", slog.New(slog.NewTextHandler(io.Discard, nil)))
	l.ShutdownGrace = 1500 * time.Millisecond
	go func() { _ = l.Serve(ln) }()
	addr := ln.Addr().String()

	idle := dialSMTP(t, addr)
	idle.expect(250, "EHLO idle.test")
	silent := dialSMTP(t, addr) // connected, never said EHLO
	finishing := dialSMTP(t, addr)
	finishing.expect(250, "EHLO finishing.test")
	finishing.expect(250, "MAIL FROM:<ola@example.no>")
	finishing.expect(250, "RCPT TO:<support@example.com>")
	finishing.expect(354, "DATA")
	if err := finishing.PrintfLine("From: ola@example.no\r\nTo: support@example.com\r\nMessage-ID: <finishing@example.no>\r\nSubject: Sent during shutdown\r\n"); err != nil {
		t.Fatal(err)
	}
	stuck := dialSMTP(t, addr)
	stuck.expect(250, "EHLO stuck.test")
	stuck.expect(250, "MAIL FROM:<kari@example.no>")
	stuck.expect(250, "RCPT TO:<support@example.com>")
	stuck.expect(354, "DATA")
	if err := stuck.PrintfLine("From: kari@example.no\r\nSubject: never finished\r\n"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the listener has read what was sent

	start := time.Now()
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		shut <- l.Shutdown(ctx)
	}()
	for name, c := range map[string]*smtpClient{"idle": idle, "silent": silent} {
		code, msg, _ := c.ReadResponse(0)
		if code != 421 {
			t.Errorf("%s session: got %d %s, want 421", name, code, msg)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s session closed after %v, want at once", name, d)
		}
	}
	if _, err := net.Dial("tcp", addr); err == nil {
		t.Errorf("listener still accepts connections during shutdown")
	}
	time.Sleep(300 * time.Millisecond)
	if err := finishing.PrintfLine("Hei, dette kom fram.\r\n."); err != nil {
		t.Fatal(err)
	}
	finishing.expect(250, "")
	code, msg, _ := stuck.ReadResponse(0)
	if code != 421 {
		t.Errorf("DATA still being sent after the grace: got %d %s, want 421", code, msg)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Shutdown did not return %v after the grace", 5*time.Second)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("shutdown took %v with a grace of %v", d, l.ShutdownGrace)
	}
	if got := e.inbound(t, ""); len(got) != 1 {
		t.Errorf("%d messages stored, want the finished one: %v", len(got), got)
	}
}
