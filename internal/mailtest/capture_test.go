package mailtest

import (
	"crypto/tls"
	"errors"
	"net/smtp"
	"net/textproto"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

const testMsg = "From: a@example.com\r\nTo: x@example.org\r\nSubject: hi\r\n\r\nhello\r\n"

func TestCaptureNetSMTP(t *testing.T) {
	c := StartCapture(t)
	if err := smtp.SendMail(c.Addr(), nil, "a@example.com", []string{"x@example.org", "y@example.org"}, []byte(testMsg)); err != nil {
		t.Fatalf("SendMail: %v", err)
	}
	got := c.Wait(t, 1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	m := got[0]
	if m.From != "a@example.com" || !slices.Equal(m.To, []string{"x@example.org", "y@example.org"}) {
		t.Errorf("envelope = %q → %q", m.From, m.To)
	}
	if string(m.Data) != testMsg {
		t.Errorf("data = %q, want %q", m.Data, testMsg)
	}
	if m.At.IsZero() || m.AuthUser != "" {
		t.Errorf("At = %v, AuthUser = %q", m.At, m.AuthUser)
	}
}

func TestCaptureSwaks(t *testing.T) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		t.Fatalf("swaks not found: install Debian's swaks package (%v)", err)
	}
	c := StartCapture(t)
	out, err := exec.Command(swaks, "--server", c.Addr(), "--to", "x@y", "--from", "a@b", "--body", "hi").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	m := c.Wait(t, 1, 5*time.Second)[0]
	if m.From != "a@b" || !slices.Equal(m.To, []string{"x@y"}) || !strings.Contains(string(m.Data), "\r\n\r\nhi\r\n") {
		t.Errorf("captured %q → %q: %q", m.From, m.To, m.Data)
	}
}

func TestCaptureFailNext(t *testing.T) {
	tests := []struct {
		name string
		code int
	}{
		{"temporary", 451},
		{"permanent", 550},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := StartCapture(t)
			c.FailNext(2, tt.code, "try later")
			for i := range 2 {
				err := smtp.SendMail(c.Addr(), nil, "a@example.com", []string{"x@example.org"}, []byte(testMsg))
				var te *textproto.Error
				if !errors.As(err, &te) || te.Code != tt.code {
					t.Fatalf("attempt %d: error = %v, want SMTP %d", i+1, err, tt.code)
				}
			}
			if n := len(c.Messages()); n != 0 {
				t.Fatalf("%d refused messages recorded", n)
			}
			if err := smtp.SendMail(c.Addr(), nil, "a@example.com", []string{"x@example.org"}, []byte(testMsg)); err != nil {
				t.Fatalf("third attempt: %v", err)
			}
			c.Wait(t, 1, 5*time.Second)
		})
	}
}

func TestCaptureAuth(t *testing.T) {
	c := StartCapture(t)
	c.RequireAuth("agent", "s3cret")
	tests := []struct {
		name     string
		auth     smtp.Auth
		wantCode int // 0: delivered
	}{
		{"no auth", nil, 530},
		{"wrong password", smtp.PlainAuth("", "agent", "nope", "127.0.0.1"), 535},
		{"right password", smtp.PlainAuth("", "agent", "s3cret", "127.0.0.1"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := smtp.SendMail(c.Addr(), tt.auth, "a@example.com", []string{"x@example.org"}, []byte(testMsg))
			var te *textproto.Error
			switch {
			case tt.wantCode == 0 && err != nil:
				t.Fatalf("SendMail: %v", err)
			case tt.wantCode != 0 && (!errors.As(err, &te) || te.Code != tt.wantCode):
				t.Fatalf("error = %v, want SMTP %d", err, tt.wantCode)
			}
		})
	}
	got := c.Messages()
	if len(got) != 1 || got[0].AuthUser != "agent" {
		t.Fatalf("messages = %+v, want one from AUTH user agent", got)
	}
}

func TestCaptureSTARTTLS(t *testing.T) {
	c := StartCapture(t, WithSTARTTLS())
	cl, err := smtp.Dial(c.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if ok, _ := cl.Extension("STARTTLS"); !ok {
		t.Fatal("STARTTLS not offered")
	}
	if err := cl.StartTLS(&tls.Config{RootCAs: c.CertPool(), ServerName: "127.0.0.1"}); err != nil {
		t.Fatalf("StartTLS: %v", err)
	}
	if err := cl.Mail("a@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := cl.Rcpt("x@example.org"); err != nil {
		t.Fatal(err)
	}
	w, err := cl.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(testMsg)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := cl.Quit(); err != nil {
		t.Fatal(err)
	}
	c.Wait(t, 1, 5*time.Second)

	plain := StartCapture(t)
	cl2, err := smtp.Dial(plain.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer cl2.Close()
	if ok, _ := cl2.Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered without WithSTARTTLS")
	}
}
