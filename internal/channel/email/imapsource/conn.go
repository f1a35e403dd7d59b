package imapsource

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// session is one logged-in connection with the folder selected.
type session struct {
	c       *imapclient.Client
	newMail chan struct{} // signalled when the server reports EXISTS
	unwatch func() bool   // stops closing c when ctx ends
}

func (s *session) drainNewMail() {
	select {
	case <-s.newMail:
	default:
	}
}

// close logs out politely; the server's answer no longer matters.
func (s *session) close() {
	s.unwatch()
	_ = s.c.Logout().Wait()
	_ = s.c.Close()
}

// open connects, logs in and selects the folder. Its errors wrap
// ErrConnect, ErrTLS, ErrLogin or ErrFolderNotFound, or are ctx.Err().
func (p *Poller) open(ctx context.Context) (*session, error) {
	addr := net.JoinHostPort(p.cfg.Host, strconv.Itoa(p.cfg.Port))
	if p.cfg.Security == "none" && !p.cfg.AllowInsecureAuth {
		return nil, fmt.Errorf("imapsource: %w to %s: choose starttls or tls, or allow passwords over unencrypted connections for this mailbox", ErrUnencrypted, addr)
	}
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()

	conn, err := p.opts.Dial(dctx, "tcp", addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("imapsource: %w to %s: %w", ErrConnect, addr, err)
	}
	// Until login is done, a hung server or a cancelled ctx must not block
	// us: closing the connection unblocks every read.
	stopDialWatch := context.AfterFunc(dctx, func() { conn.Close() })
	defer stopDialWatch()

	newMail := make(chan struct{}, 1)
	options := &imapclient.Options{
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					select {
					case newMail <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	tlsConfig := &tls.Config{
		ServerName:         p.cfg.Host,
		InsecureSkipVerify: p.cfg.InsecureSkipVerify, // the admin's explicit choice, for test servers
		MinVersion:         tls.VersionTLS12,
	}

	var c *imapclient.Client
	switch p.cfg.Security {
	case "tls":
		tlsConfig.NextProtos = []string{"imap"}
		tc := tls.Client(conn, tlsConfig)
		if err := tc.HandshakeContext(dctx); err != nil {
			conn.Close()
			return nil, p.connErr(ctx, ErrTLS, addr, err)
		}
		c = imapclient.New(tc, options)
	case "starttls":
		options.TLSConfig = tlsConfig
		c, err = imapclient.NewStartTLS(conn, options)
		if err != nil {
			conn.Close()
			return nil, p.connErr(ctx, ErrTLS, addr, fmt.Errorf("STARTTLS: %w", err))
		}
	default:
		c = imapclient.New(conn, options)
	}
	fail := func(err error) (*session, error) {
		c.Close()
		return nil, err
	}

	if err := c.WaitGreeting(); err != nil {
		return fail(p.connErr(ctx, ErrConnect, addr, err))
	}
	if p.cfg.Security == "none" && c.Caps().Has(imap.CapLoginDisabled) {
		return fail(fmt.Errorf("imapsource: %w: %s refuses passwords without TLS; choose starttls or tls", ErrLogin, addr))
	}
	if err := c.Login(p.cfg.Username, p.cfg.Password).Wait(); err != nil {
		var ie *imap.Error
		if errors.As(err, &ie) && ctx.Err() == nil {
			return fail(fmt.Errorf("imapsource: %w for %q at %s: %s", ErrLogin, p.cfg.Username, addr, ie.Text))
		}
		return fail(p.connErr(ctx, ErrConnect, addr, fmt.Errorf("login: %w", err)))
	}
	if _, err := c.Select(p.cfg.Folder, nil).Wait(); err != nil {
		return fail(p.folderError(ctx, "folder", p.cfg.Folder, err))
	}

	// From here on the caller's ctx governs the connection.
	if !stopDialWatch() {
		// dctx ended (and closed conn) just as we finished.
		return fail(p.connErr(ctx, ErrConnect, addr, context.DeadlineExceeded))
	}
	unwatch := context.AfterFunc(ctx, func() { c.Close() })
	return &session{c: c, newMail: newMail, unwatch: unwatch}, nil
}

func (p *Poller) connErr(ctx context.Context, kind error, addr string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("imapsource: %w to %s: %w", kind, addr, err)
}

// folderError explains a failed SELECT or STATUS: a NO answer means the
// folder is missing (or not accessible, which the admin fixes the same way).
func (p *Poller) folderError(ctx context.Context, what, name string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Type == imap.StatusResponseTypeNo {
		return fmt.Errorf("imapsource: %w: %s %q: %s", ErrFolderNotFound, what, name, ie.Text)
	}
	return fmt.Errorf("imapsource: open %s %q: %w", what, name, err)
}
