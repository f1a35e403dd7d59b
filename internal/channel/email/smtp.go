package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ombud/ombud/internal/apperr"
)

// Listener is the inbound SMTP server: it accepts mail for the configured
// mailboxes only and says 250 once the message is committed.
type Listener struct {
	svc *Service
	srv *smtp.Server
	log *slog.Logger
	// ShutdownGrace is how long Shutdown lets a message being sent
	// finish (zero: 5 s).
	ShutdownGrace time.Duration
	stop          connTracker
}

// NewListener returns an SMTP listener for the service's mailboxes.
// hostname is announced in the greeting.
func NewListener(svc *Service, hostname string, log *slog.Logger) *Listener {
	l := &Listener{svc: svc, log: log}
	srv := smtp.NewServer(backend{l})
	srv.Domain = hostname
	srv.MaxMessageBytes = svc.MaxMessageBytes()
	srv.MaxRecipients = 100
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = slogPrinter{log}
	l.srv = srv
	return l
}

// Serve accepts connections on ln until Shutdown.
func (l *Listener) Serve(ln net.Listener) error {
	tl := &trackingListener{Listener: ln, t: &l.stop}
	l.stop.mu.Lock()
	if l.stop.stopping {
		l.stop.mu.Unlock()
		return ln.Close()
	}
	l.stop.lns = append(l.stop.lns, tl)
	l.stop.mu.Unlock()
	err := l.srv.Serve(tl)
	// Shutdown closes the listener itself before go-smtp knows it stops.
	if errors.Is(err, smtp.ErrServerClosed) || (errors.Is(err, net.ErrClosed) && l.stop.isStopping()) {
		return nil
	}
	return err
}

type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("smtp: " + fmt.Sprintf(format, v...))
}
func (p slogPrinter) Println(v ...any) { p.log.Warn("smtp: " + fmt.Sprint(v...)) }

type backend struct{ l *Listener }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{l: b.l, remote: c.Conn().RemoteAddr().String(), conn: c}, nil
}

// errLineTooLong answers a message with a line over the server's
// MaxLineLength (go-smtp's default, twice RFC 5321's 1000).
var errLineTooLong = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Line too long"}

type session struct {
	l         *Listener
	remote    string
	conn      *smtp.Conn // its HELO name, for SPF
	from      string
	rcpts     []string
	mailboxes []int64
}

func (s *session) Reset() {
	s.from, s.rcpts, s.mailboxes = "", nil, nil
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.l.stop.isStopping() {
		return errShuttingDown
	}
	s.Reset()
	s.from = strings.ToLower(from)
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	mb, err := s.l.svc.MailboxFor(context.Background(), to)
	if apperr.Is(err, apperr.CodeNotFound) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox here"}
	}
	if err != nil {
		s.l.log.Error("smtp: mailbox lookup", "to", to, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later"}
	}
	s.rcpts = append(s.rcpts, strings.ToLower(to))
	if !slices.Contains(s.mailboxes, mb.ID) {
		s.mailboxes = append(s.mailboxes, mb.ID)
	}
	return nil
}

func (s *session) Data(r io.Reader) error {
	s.l.stop.set(s.remote, true, false)
	defer s.l.stop.set(s.remote, false, false)
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			return smtp.ErrDataTooLarge
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			// Permanent: the same message would fail the same way on every
			// retry (RFC 5321 4.5.3.1.6; the connection closes after this).
			return errLineTooLong
		}
		if s.l.stop.isStopping() {
			return errShuttingDown // cut off by Shutdown after the grace
		}
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Error reading message"}
	}
	raw := buf.Bytes()
	s.l.stop.set(s.remote, false, true)
	// The message is acknowledged only when every mailbox has committed it;
	// a failure answers 451 and the sender retries (duplicates are dropped).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, id := range s.mailboxes {
		res, err := s.l.svc.Receive(ctx, Inbound{MailboxID: id, Source: "smtp", EnvelopeFrom: s.from, EnvelopeTo: s.rcpts, Raw: raw,
			ClientIP: clientIP(s.remote), Helo: s.conn.Hostname()})
		if apperr.Is(err, apperr.CodeTooLarge) {
			return smtp.ErrDataTooLarge
		}
		if err != nil {
			s.l.log.Error("smtp: store message", "remote", s.remote, "from", s.from, "err", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure storing the message, try again later"}
		}
		s.l.log.Debug("smtp: received", "remote", s.remote, "inbound_id", res.InboundID, "outcome", res.Outcome, "ticket_id", res.TicketID, "duplicate", res.Duplicate)
	}
	return nil
}

// clientIP is the address of a connection's peer ("203.0.113.5:4711").
func clientIP(remote string) netip.Addr {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap()
}
