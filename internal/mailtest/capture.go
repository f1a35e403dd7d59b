package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Captured is one message an SMTP client delivered to a Capture.
type Captured struct {
	From     string
	To       []string
	Data     []byte
	At       time.Time
	AuthUser string // the AUTH PLAIN user name, "" without AUTH
}

// Capture is an SMTP server that accepts everything (unless told otherwise)
// and records it.
type Capture struct {
	addr string
	cert *selfSigned // nil unless STARTTLS is offered

	mu       sync.Mutex
	msgs     []Captured
	changed  chan struct{} // closed and replaced whenever msgs grows
	failN    int
	failCode int
	failMsg  string
	authUser string
	authPass string
	authReq  bool
	closed   bool
	tb       testing.TB
}

// CaptureOption changes how StartCapture configures the server.
type CaptureOption func(*captureConfig)

type captureConfig struct{ startTLS bool }

// WithSTARTTLS makes the server offer STARTTLS with a self-signed certificate
// (see Capture.CertPool). Without it, STARTTLS is not offered.
func WithSTARTTLS() CaptureOption {
	return func(c *captureConfig) { c.startTLS = true }
}

// StartCapture starts an SMTP server on a free 127.0.0.1 port, stopped when
// the test ends. AUTH PLAIN is offered without TLS; any credentials are
// accepted until RequireAuth is called.
func StartCapture(t testing.TB, opts ...CaptureOption) *Capture {
	t.Helper()
	var cfg captureConfig
	for _, o := range opts {
		o(&cfg)
	}
	c := &Capture{changed: make(chan struct{}), tb: t}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &captureSession{c: c}, nil
	}))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 64 << 20
	srv.MaxRecipients = 1000
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = captureLogger{c}
	if cfg.startTLS {
		cert, err := newSelfSigned()
		if err != nil {
			t.Fatalf("mailtest: %v", err)
		}
		c.cert = cert
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert.cert}, MinVersion: tls.VersionTLS12}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	c.addr = l.Addr().String()
	served := make(chan struct{})
	go func() {
		defer close(served)
		// Serve returns ErrServerClosed (or the closed listener's error)
		// after Close below; nothing to report.
		_ = srv.Serve(l)
	}()
	t.Cleanup(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		_ = srv.Close()
		<-served
	})
	return c
}

// Addr is the server's host:port.
func (c *Capture) Addr() string { return c.addr }

// CertPool trusts the STARTTLS certificate; nil without WithSTARTTLS.
func (c *Capture) CertPool() *x509.CertPool {
	if c.cert == nil {
		return nil
	}
	return c.cert.pool
}

// Messages returns the messages received so far.
func (c *Capture) Messages() []Captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Captured, len(c.msgs))
	copy(out, c.msgs)
	return out
}

// Wait returns the messages received once there are at least n, failing the
// test if that takes longer than timeout.
func (c *Capture) Wait(t testing.TB, n int, timeout time.Duration) []Captured {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		got, changed := len(c.msgs), c.changed
		c.mu.Unlock()
		if got >= n {
			return c.Messages()
		}
		select {
		case <-changed:
		case <-deadline.C:
			t.Fatalf("mailtest: waited %v for %d message(s) at %s, got %d", timeout, n, c.addr, got)
			return nil
		}
	}
}

// FailNext makes the next n transactions fail with code and msg (e.g. 451
// for a temporary, 550 for a permanent failure). The answer comes at the
// end of DATA, after the message was sent, which is where a real server
// most often refuses; refused messages are not recorded.
func (c *Capture) FailNext(n int, code int, msg string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failN, c.failCode, c.failMsg = n, code, msg
}

// RequireAuth makes MAIL FROM fail with 530 until the client has
// authenticated with exactly these credentials.
func (c *Capture) RequireAuth(user, pass string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.authReq, c.authUser, c.authPass = true, user, pass
}

func (c *Capture) record(m Captured) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failN > 0 {
		c.failN--
		return &smtp.SMTPError{Code: c.failCode, EnhancedCode: smtp.EnhancedCodeNotSet, Message: c.failMsg}
	}
	c.msgs = append(c.msgs, m)
	close(c.changed)
	c.changed = make(chan struct{})
	return nil
}

var errAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}

type captureSession struct {
	c        *Capture
	authUser string
	authed   bool
	from     string
	to       []string
}

func (s *captureSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *captureSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.c.mu.Lock()
		req, wantUser, wantPass := s.c.authReq, s.c.authUser, s.c.authPass
		s.c.mu.Unlock()
		if req && (user != wantUser || pass != wantPass) {
			return smtp.ErrAuthFailed
		}
		s.authUser, s.authed = user, true
		return nil
	}), nil
}

func (s *captureSession) Mail(from string, _ *smtp.MailOptions) error {
	s.c.mu.Lock()
	req := s.c.authReq
	s.c.mu.Unlock()
	if req && !s.authed {
		return errAuthRequired
	}
	s.from, s.to = from, nil
	return nil
}

func (s *captureSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *captureSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		// Too large, or the connection broke mid-message: go-smtp answers.
		return err
	}
	return s.c.record(Captured{From: s.from, To: s.to, Data: data, At: time.Now(), AuthUser: s.authUser})
}

func (s *captureSession) Reset() { s.from, s.to = "", nil }

func (s *captureSession) Logout() error { return nil }

// captureLogger passes go-smtp's complaints to the test log, and drops them
// once the test has ended (logging then would panic).
type captureLogger struct{ c *Capture }

func (l captureLogger) Printf(format string, v ...any) { l.log(fmt.Sprintf(format, v...)) }
func (l captureLogger) Println(v ...any)               { l.log(fmt.Sprintln(v...)) }

func (l captureLogger) log(s string) {
	l.c.mu.Lock()
	defer l.c.mu.Unlock()
	if l.c.closed {
		return
	}
	l.c.tb.Logf("mailtest: smtp server: %s", s)
}
