package mailtest

import (
	"crypto/tls"
	"fmt"
	"net"
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"
)

func testMessage(n int) []byte {
	return fmt.Appendf(nil, "From: a@example.com\r\nTo: b@example.com\r\nSubject: test %d\r\nMessage-ID: <%d@example.com>\r\n\r\nbody %d\r\n", n, n, n)
}

func TestDovecotAppendMessages(t *testing.T) {
	d := StartDovecot(t)
	d.AddUser(t, "alice", "alice-pw")
	d.AddUser(t, "bob", "bob-pw")

	tests := []struct {
		name, user, pass, folder string
		count                    int
	}{
		{"inbox", "alice", "alice-pw", "INBOX", 3},
		{"new folder", "alice", "alice-pw", "Support", 2},
		{"nested folder", "bob", "bob-pw", "Archive/2024", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want [][]byte
			for i := range tt.count {
				raw := testMessage(i)
				d.Append(t, tt.user, tt.pass, tt.folder, raw)
				want = append(want, raw)
			}
			got := d.Messages(t, tt.user, tt.pass, tt.folder)
			if len(got) != len(want) {
				t.Fatalf("Messages returned %d messages, want %d", len(got), len(want))
			}
			for i, m := range got {
				if string(m.Raw) != string(want[i]) {
					t.Errorf("message %d raw = %q, want %q", i, m.Raw, want[i])
				}
				if i > 0 && m.UID <= got[i-1].UID {
					t.Errorf("UIDs not increasing: %d after %d", m.UID, got[i-1].UID)
				}
				if slices.Contains(m.Flags, `\Seen`) {
					t.Errorf("message %d flags = %v; Messages must not mark it seen", i, m.Flags)
				}
			}
			// Reading again proves Messages changed nothing.
			if again := d.Messages(t, tt.user, tt.pass, tt.folder); len(again) != len(got) {
				t.Errorf("second Messages returned %d, want %d", len(again), len(got))
			}
		})
	}
}

func TestDovecotLoginChecksPassword(t *testing.T) {
	d := StartDovecot(t)
	d.AddUser(t, "carol", "right")
	tests := []struct {
		name, pass string
		ok         bool
	}{
		{"right password", "right", true},
		{"wrong password", "wrong", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := imapclient.DialInsecure(d.Addr(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			err = c.Login("carol", tt.pass).Wait()
			if (err == nil) != tt.ok {
				t.Errorf("login error = %v, want ok=%v", err, tt.ok)
			}
		})
	}
	// A password change takes effect without a restart.
	d.AddUser(t, "carol", "changed")
	d.Messages(t, "carol", "changed", "INBOX")
}

func TestDovecotTLS(t *testing.T) {
	d := StartDovecot(t)
	d.AddUser(t, "dave", "pw")
	tests := []struct {
		name string
		dial func() (*imapclient.Client, error)
	}{
		{"implicit TLS", func() (*imapclient.Client, error) {
			return imapclient.DialTLS(d.TLSAddr(), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: d.CertPool()}})
		}},
		{"STARTTLS", func() (*imapclient.Client, error) {
			return imapclient.DialStartTLS(d.Addr(), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: d.CertPool()}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.dial()
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			defer c.Close()
			if err := c.Login("dave", "pw").Wait(); err != nil {
				t.Fatalf("login: %v", err)
			}
		})
	}
}

func TestDovecotStopStart(t *testing.T) {
	d := StartDovecot(t)
	d.AddUser(t, "erin", "pw")
	d.Append(t, "erin", "pw", "INBOX", testMessage(1))
	d.Stop(t)
	if c, err := net.Dial("tcp", d.Addr()); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Stop", d.Addr())
	}
	d.Start(t)
	if got := d.Messages(t, "erin", "pw", "INBOX"); len(got) != 1 {
		t.Fatalf("after restart: %d messages, want 1", len(got))
	}
}
