package imapsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/ombud/ombud/internal/mailtest"
)

const (
	user = "support@example.com"
	pass = "support-pw"
)

// Capabilities without MOVE and without IDLE, to exercise the fallbacks.
const (
	capsNoMove = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE UIDPLUS NAMESPACE"
	capsNoIdle = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS MOVE NAMESPACE"
)

func startServer(t *testing.T, opts ...mailtest.DovecotOption) (*mailtest.Dovecot, Config) {
	t.Helper()
	d := mailtest.StartDovecot(t, opts...)
	d.AddUser(t, user, pass)
	host, port := splitAddr(t, d.Addr())
	return d, Config{Host: host, Port: port, Security: "none", Username: user, Password: pass, AllowInsecureAuth: true}
}

func splitAddr(t *testing.T, addr string) (string, int) {
	t.Helper()
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		t.Fatal(err)
	}
	return host, port
}

func message(id string) []byte {
	return fmt.Appendf(nil, "From: customer@example.org\r\nTo: %s\r\nSubject: help %s\r\nMessage-ID: <%s@example.org>\r\n\r\nPlease help with %s.\r\n", user, id, id, id)
}

func messageID(t *testing.T, raw []byte) string {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("delivered message does not parse: %v", err)
	}
	return strings.TrimSuffix(strings.TrimPrefix(m.Header.Get("Message-ID"), "<"), "@example.org>")
}

// store is a Deliver that records message ids in order and fails the ids in
// failOnce the first time it sees them.
type store struct {
	t        *testing.T
	mu       sync.Mutex
	ids      []string
	failOnce map[string]bool
	arrived  chan string
}

func newStore(t *testing.T, failOnce ...string) *store {
	s := &store{t: t, failOnce: map[string]bool{}, arrived: make(chan string, 100)}
	for _, id := range failOnce {
		s.failOnce[id] = true
	}
	return s
}

func (s *store) deliver(_ context.Context, raw []byte) error {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	id := strings.TrimSuffix(strings.TrimPrefix(m.Header.Get("Message-ID"), "<"), "@example.org>")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failOnce[id] {
		delete(s.failOnce, id)
		return errors.New("database is down")
	}
	s.ids = append(s.ids, id)
	s.arrived <- id
	return nil
}

func (s *store) delivered() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ids)
}

func (s *store) await(t *testing.T, id string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case got := <-s.arrived:
			if got == id {
				return
			}
		case <-deadline:
			t.Fatalf("message %q not delivered within %v; delivered: %v", id, timeout, s.delivered())
		}
	}
}

type summary struct {
	ID    string
	Flags []string
}

func summarize(t *testing.T, msgs []mailtest.MailboxMessage) []summary {
	t.Helper()
	out := make([]summary, 0, len(msgs))
	for _, m := range msgs {
		var flags []string
		for _, f := range m.Flags {
			if f != `\Recent` { // depends on which session saw it first
				flags = append(flags, f)
			}
		}
		out = append(out, summary{messageID(t, m.Raw), flags})
	}
	return out
}

func TestPollOnceDeliversInOrderAndMarks(t *testing.T) {
	tests := []struct {
		name      string
		caps      string
		processed string
		wantInbox []summary
		wantDone  []summary
	}{
		{
			name:      "mark seen",
			wantInbox: []summary{{"m1", []string{`\Seen`}}, {"m2", []string{`\Seen`}}, {"m3", []string{`\Seen`}}, {"m4", []string{`\Seen`}}, {"m5", []string{`\Seen`}}},
		},
		{
			name:      "move to processed folder",
			processed: "Processed",
			wantDone:  []summary{{"m1", nil}, {"m2", nil}, {"m3", nil}, {"m4", nil}, {"m5", nil}},
		},
		{
			name:      "copy, delete and expunge without MOVE",
			caps:      capsNoMove,
			processed: "Processed",
			wantDone:  []summary{{"m1", nil}, {"m2", nil}, {"m3", nil}, {"m4", nil}, {"m5", nil}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []mailtest.DovecotOption
			if tt.caps != "" {
				opts = append(opts, mailtest.WithIMAPCapability(tt.caps))
			}
			d, cfg := startServer(t, opts...)
			cfg.ProcessedFolder = tt.processed
			if tt.processed != "" {
				// The folder exists; a missing one is created (see below).
				d.Append(t, user, pass, tt.processed, message("old"))
				tt.wantDone = append([]summary{{"old", nil}}, tt.wantDone...)
			}
			want := []string{"m1", "m2", "m3", "m4", "m5"}
			for _, id := range want {
				d.Append(t, user, pass, "INBOX", message(id))
			}
			st := newStore(t)
			// A batch of two makes the five messages take three FETCHes.
			p := New(cfg, st.deliver, Options{BatchSize: 2})

			n, err := p.PollOnce(t.Context())
			if err != nil || n != len(want) {
				t.Fatalf("PollOnce = %d, %v; want %d, nil", n, err, len(want))
			}
			if diff := cmp.Diff(want, st.delivered()); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantInbox, summarize(t, d.Messages(t, user, pass, "INBOX")), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("INBOX (-want +got):\n%s", diff)
			}
			if tt.processed != "" {
				if diff := cmp.Diff(tt.wantDone, summarize(t, d.Messages(t, user, pass, tt.processed)), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("%s (-want +got):\n%s", tt.processed, diff)
				}
			}

			// Nothing is delivered twice.
			if n, err := p.PollOnce(t.Context()); err != nil || n != 0 {
				t.Fatalf("second PollOnce = %d, %v; want 0, nil", n, err)
			}
		})
	}
}

func TestPollOnceCreatesMissingProcessedFolder(t *testing.T) {
	d, cfg := startServer(t)
	cfg.ProcessedFolder = "Ombud/Done"
	d.Append(t, user, pass, "INBOX", message("a"))
	st := newStore(t)
	if n, err := New(cfg, st.deliver, Options{}).PollOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("PollOnce = %d, %v; want 1, nil", n, err)
	}
	if got := summarize(t, d.Messages(t, user, pass, "Ombud/Done")); len(got) != 1 || got[0].ID != "a" {
		t.Fatalf("Ombud/Done holds %v, want message a", got)
	}
}

func TestPollOnceDeliverErrorLeavesMessage(t *testing.T) {
	tests := []struct {
		name      string
		processed string
		folder    string // where the failed message waits
	}{
		{"mark seen", "", "INBOX"},
		{"move", "Processed", "INBOX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, cfg := startServer(t)
			cfg.ProcessedFolder = tt.processed
			for _, id := range []string{"m1", "m2", "m3"} {
				d.Append(t, user, pass, "INBOX", message(id))
			}
			st := newStore(t, "m2")
			p := New(cfg, st.deliver, Options{})

			n, err := p.PollOnce(t.Context())
			var derr *DeliverError
			if n != 2 || !errors.As(err, &derr) || len(derr.UIDs) != 1 {
				t.Fatalf("PollOnce = %d, %v; want 2 and a DeliverError for one message", n, err)
			}
			if diff := cmp.Diff([]string{"m1", "m3"}, st.delivered()); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
			inbox := summarize(t, d.Messages(t, user, pass, "INBOX"))
			i := slices.IndexFunc(inbox, func(s summary) bool { return s.ID == "m2" })
			if i < 0 || len(inbox[i].Flags) != 0 {
				t.Fatalf("INBOX = %v; want m2 there untouched", inbox)
			}

			n, err = p.PollOnce(t.Context())
			if err != nil || n != 1 {
				t.Fatalf("second PollOnce = %d, %v; want 1, nil", n, err)
			}
			if diff := cmp.Diff([]string{"m1", "m3", "m2"}, st.delivered()); diff != "" {
				t.Errorf("delivered after retry (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPollOnceSkipsTooBig(t *testing.T) {
	d, cfg := startServer(t)
	big := append(message("big"), bytes.Repeat([]byte("x"), 4000)...)
	d.Append(t, user, pass, "INBOX", message("small1"))
	d.Append(t, user, pass, "INBOX", big)
	d.Append(t, user, pass, "INBOX", message("small2"))
	st := newStore(t)
	var logs bytes.Buffer
	p := New(cfg, st.deliver, Options{MaxMessageBytes: 1000, Logger: slog.New(slog.NewTextHandler(&logs, nil))})

	for pass := 1; pass <= 2; pass++ {
		n, err := p.PollOnce(t.Context())
		if err != nil {
			t.Fatalf("pass %d: %v", pass, err)
		}
		if want := map[int]int{1: 2, 2: 0}[pass]; n != want {
			t.Fatalf("pass %d delivered %d, want %d", pass, n, want)
		}
	}
	if diff := cmp.Diff([]string{"small1", "small2"}, st.delivered()); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	want := []summary{{"small1", []string{`\Seen`}}, {"big", []string{string(TooBigFlag)}}, {"small2", []string{`\Seen`}}}
	if diff := cmp.Diff(want, summarize(t, d.Messages(t, user, pass, "INBOX")), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("INBOX (-want +got):\n%s", diff)
	}
	if got := strings.Count(logs.String(), "too big"); got != 1 {
		t.Errorf("logged %d too-big warnings, want 1:\n%s", got, logs.String())
	}
}

func TestRunPicksUpNewMail(t *testing.T) {
	tests := []struct {
		name string
		caps string
		opts Options
	}{
		// An hour-long interval: only IDLE can explain a quick delivery.
		{"idle", "", Options{Interval: time.Hour}},
		{"poll without idle", capsNoIdle, Options{Interval: 200 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []mailtest.DovecotOption
			if tt.caps != "" {
				opts = append(opts, mailtest.WithIMAPCapability(tt.caps))
			}
			d, cfg := startServer(t, opts...)
			d.Append(t, user, pass, "INBOX", message("before"))
			st := newStore(t)
			p := New(cfg, st.deliver, tt.opts)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx) }()

			st.await(t, "before", 10*time.Second)
			// Let Run settle into IDLE (or its sleep) first.
			time.Sleep(300 * time.Millisecond)
			start := time.Now()
			d.Append(t, user, pass, "INBOX", message("during"))
			st.await(t, "during", 10*time.Second)
			t.Logf("delivered %v after APPEND", time.Since(start))

			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run = %v, want nil after cancel", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Run did not return after cancel")
			}
			if diff := cmp.Diff([]string{"before", "during"}, st.delivered()); diff != "" {
				t.Errorf("delivered (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunRetriesFailedDelivery(t *testing.T) {
	d, cfg := startServer(t)
	d.Append(t, user, pass, "INBOX", message("flaky"))
	st := newStore(t, "flaky")
	p := New(cfg, st.deliver, Options{Interval: time.Hour, RetryMin: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() { _ = p.Run(ctx) }()
	// Even while IDLE would wait an hour, the failed message is retried.
	st.await(t, "flaky", 10*time.Second)
}

func TestRunReconnectsAfterServerLoss(t *testing.T) {
	d, cfg := startServer(t)
	var dials atomic.Int32
	dialer := &net.Dialer{}
	st := newStore(t)
	p := New(cfg, st.deliver, Options{
		Interval: time.Hour,
		RetryMin: 50 * time.Millisecond,
		RetryMax: 200 * time.Millisecond,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			return dialer.DialContext(ctx, network, addr)
		},
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	d.Append(t, user, pass, "INBOX", message("first"))
	st.await(t, "first", 10*time.Second)

	d.Stop(t)
	before := dials.Load()
	deadline := time.Now().Add(5 * time.Second)
	for dials.Load() < before+3 {
		if time.Now().After(deadline) {
			t.Fatalf("Run dialled %d times while the server was down, want ≥ 3", dials.Load()-before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	d.Start(t)
	d.Append(t, user, pass, "INBOX", message("second"))
	st.await(t, "second", 10*time.Second)

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil", err)
	}
}

func TestCheckConfig(t *testing.T) {
	d, cfg := startServer(t)
	d.Append(t, user, pass, "Archive", message("a"))
	_, tlsPort := splitAddr(t, d.TLSAddr())
	closed := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}()

	tests := []struct {
		name    string
		edit    func(*Config)
		wantErr error // nil: valid
		wantMsg string
	}{
		{"plain", func(*Config) {}, nil, ""},
		{"plain without the admin's consent", func(c *Config) { c.AllowInsecureAuth = false }, ErrUnencrypted, "unencrypted"},
		{"starttls needs no consent", func(c *Config) { c.Security, c.InsecureSkipVerify, c.AllowInsecureAuth = "starttls", true, false }, nil, ""},
		{"starttls", func(c *Config) { c.Security, c.InsecureSkipVerify = "starttls", true }, nil, ""},
		{"implicit tls", func(c *Config) { c.Security, c.Port, c.InsecureSkipVerify = "tls", tlsPort, true }, nil, ""},
		{"processed folder exists", func(c *Config) { c.ProcessedFolder = "Archive" }, nil, ""},
		{"wrong password", func(c *Config) { c.Password = "wrong" }, ErrLogin, "login failed"},
		{"unknown user", func(c *Config) { c.Username = "nobody@example.com" }, ErrLogin, "login failed"},
		{"missing folder", func(c *Config) { c.Folder = "Nope" }, ErrFolderNotFound, `folder "Nope"`},
		{"missing processed folder", func(c *Config) { c.ProcessedFolder = "Nope" }, ErrFolderNotFound, `processed folder "Nope"`},
		{"nothing listening", func(c *Config) { c.Port = closed }, ErrConnect, "cannot connect"},
		{"untrusted certificate", func(c *Config) { c.Security, c.Port = "tls", tlsPort }, ErrTLS, "certificate"},
		{"tls against plain port", func(c *Config) { c.Security, c.InsecureSkipVerify = "tls", true }, ErrTLS, "TLS failed"},
		{"bad security", func(c *Config) { c.Security = "ssl" }, ErrInvalidConfig, "security"},
		{"no host", func(c *Config) { c.Host = "" }, ErrInvalidConfig, "host is required"},
		{"processed is folder", func(c *Config) { c.ProcessedFolder = "INBOX" }, ErrInvalidConfig, "processed folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			tt.edit(&c)
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			err := CheckConfig(ctx, c)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("CheckConfig = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("CheckConfig = %v, want %v mentioning %q", err, tt.wantErr, tt.wantMsg)
			}
			t.Logf("%v", err)
		})
	}
}

func TestPollOnceHonoursContext(t *testing.T) {
	d, cfg := startServer(t)
	d.Append(t, user, pass, "INBOX", message("a"))
	d.Append(t, user, pass, "INBOX", message("b"))
	ctx, cancel := context.WithCancel(t.Context())
	var calls int
	p := New(cfg, func(context.Context, []byte) error {
		calls++
		cancel() // the process is shutting down while storing
		return context.Canceled
	}, Options{})
	if _, err := p.PollOnce(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("PollOnce = %v, want context.Canceled", err)
	}
	if calls != 1 {
		t.Errorf("Deliver called %d times after cancel, want 1", calls)
	}
	if got := summarize(t, d.Messages(t, user, pass, "INBOX")); len(got) != 2 || len(got[0].Flags)+len(got[1].Flags) != 0 {
		t.Errorf("INBOX = %v, want both messages untouched", got)
	}
}
