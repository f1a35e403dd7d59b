// Package imapsource polls a support mailbox over IMAP and hands every new
// message, raw, to a Deliver function that stores it.
//
// Nothing is ever lost: a message is marked \Seen (or moved to the processed
// folder) only after Deliver has returned nil, that is, after the caller has
// durably committed it. A crash, a dropped connection or a failed mark
// between the two leaves the message unseen, and it is delivered again on
// the next pass; the caller deduplicates by Message-ID, so delivering twice
// is correct where delivering never would not be.
package imapsource

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/emersion/go-imap/v2"
)

// TooBigFlag is the IMAP keyword set on messages larger than
// Options.MaxMessageBytes, so they are skipped instead of retried forever.
const TooBigFlag imap.Flag = "$OmbudTooBig"

const (
	defaultInterval        = 60 * time.Second
	defaultMaxMessageBytes = 50 << 20
	defaultBatchSize       = 20
	defaultIdleTimeout     = 25 * time.Minute // RFC 2177: re-issue IDLE before the 30-minute autologout
	defaultRetryMin        = time.Second
	defaultRetryMax        = 5 * time.Minute
	// batchBytes caps how much message data one FETCH holds in memory; a
	// single larger message (up to MaxMessageBytes) still goes alone.
	batchBytes  = 16 << 20
	dialTimeout = 30 * time.Second
)

// Errors CheckConfig (and PollOnce) wrap, for the admin UI to tell apart
// with errors.Is.
var (
	ErrInvalidConfig  = errors.New("invalid configuration")
	ErrConnect        = errors.New("cannot connect")
	ErrTLS            = errors.New("TLS failed")
	ErrLogin          = errors.New("login failed")
	ErrFolderNotFound = errors.New("folder not found")
	// ErrUnencrypted: the password would cross a connection without TLS
	// and the admin did not allow that (Config.AllowInsecureAuth).
	ErrUnencrypted = errors.New("password refused over an unencrypted connection")
)

// Config is one support mailbox, as an admin enters it.
type Config struct {
	Host string
	Port int // 0: 993 with "tls", else 143
	// Security is "none", "starttls" or "tls" (implicit TLS).
	Security           string
	Username, Password string
	Folder             string // default "INBOX"
	// ProcessedFolder empty: delivered messages are marked \Seen and stay,
	// and only unseen messages are fetched. Otherwise every message in
	// Folder is fetched and, once delivered, moved there (with COPY,
	// \Deleted and EXPUNGE when the server lacks MOVE).
	ProcessedFolder    string
	InsecureSkipVerify bool // for self-signed test servers only
	// AllowInsecureAuth lets LOGIN go over a connection without TLS
	// (Security "none"); otherwise the poller refuses before connecting,
	// so the password never crosses the network in the clear by default.
	AllowInsecureAuth bool
}

// Deliver stores one raw RFC 5322 message. It must return nil only once the
// message is durably committed: the poller then marks or moves it. An error
// leaves the message untouched, to be delivered again on a later pass.
type Deliver func(ctx context.Context, raw []byte) error

// Options tune a Poller; the zero value is ready to use.
type Options struct {
	// Interval between polls when the server does not offer IDLE
	// (default 60s).
	Interval time.Duration
	Logger   *slog.Logger // default: discard
	// Dial opens the TCP connection (default net.Dialer).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// MaxMessageBytes: larger messages are not delivered but flagged
	// TooBigFlag and logged (default 50 MB).
	MaxMessageBytes int64
	// BatchSize is how many messages one FETCH asks for (default 20).
	BatchSize int
	// IdleTimeout ends an IDLE that saw nothing, to poll again (default
	// 25 minutes).
	IdleTimeout time.Duration
	// RetryMin and RetryMax bound the exponential back-off between
	// reconnects and between retries of failed deliveries (default 1s
	// and 5 minutes).
	RetryMin, RetryMax time.Duration
}

// DeliverError reports messages whose Deliver failed during a pass; they
// were left unseen and in place. The pass still delivered the others.
type DeliverError struct {
	UIDs []uint32
	Err  error // the first failure
}

func (e *DeliverError) Error() string {
	return fmt.Sprintf("imapsource: %d message(s) not delivered, first error: %v", len(e.UIDs), e.Err)
}

func (e *DeliverError) Unwrap() error { return e.Err }

// Poller fetches new messages from one mailbox.
type Poller struct {
	cfg     Config
	cfgErr  error
	deliver Deliver
	opts    Options
	log     *slog.Logger
}

// New returns a Poller for cfg. An invalid cfg is reported by PollOnce and
// Run (wrapping ErrInvalidConfig).
func New(cfg Config, deliver Deliver, opts Options) *Poller {
	cfg, err := normalize(cfg)
	if opts.Interval <= 0 {
		opts.Interval = defaultInterval
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Dial == nil {
		d := &net.Dialer{Timeout: dialTimeout}
		opts.Dial = d.DialContext
	}
	if opts.MaxMessageBytes <= 0 {
		opts.MaxMessageBytes = defaultMaxMessageBytes
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = defaultBatchSize
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = defaultIdleTimeout
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = defaultRetryMin
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(defaultRetryMax, opts.RetryMin)
	}
	return &Poller{
		cfg:     cfg,
		cfgErr:  err,
		deliver: deliver,
		opts:    opts,
		log: opts.Logger.With(
			slog.String("imap_server", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))),
			slog.String("imap_user", cfg.Username),
			slog.String("imap_folder", cfg.Folder)),
	}
}

func normalize(cfg Config) (Config, error) {
	if cfg.Folder == "" {
		cfg.Folder = "INBOX"
	}
	if cfg.Port == 0 {
		cfg.Port = 143
		if cfg.Security == "tls" {
			cfg.Port = 993
		}
	}
	var problem string
	switch {
	case cfg.Host == "":
		problem = "host is required"
	case cfg.Port < 1 || cfg.Port > 65535:
		problem = fmt.Sprintf("port %d is out of range", cfg.Port)
	case cfg.Security != "none" && cfg.Security != "starttls" && cfg.Security != "tls":
		problem = fmt.Sprintf("security must be none, starttls or tls, not %q", cfg.Security)
	case cfg.Username == "":
		problem = "username is required"
	case cfg.ProcessedFolder != "" && cfg.ProcessedFolder == cfg.Folder:
		problem = "the processed folder must differ from the folder polled"
	default:
		return cfg, nil
	}
	return cfg, fmt.Errorf("imapsource: %w: %s", ErrInvalidConfig, problem)
}

// CheckConfig connects, logs in and opens the folder (and checks that the
// processed folder exists), returning an error that wraps ErrInvalidConfig,
// ErrConnect, ErrTLS, ErrLogin or ErrFolderNotFound with the server's words.
func CheckConfig(ctx context.Context, cfg Config) error {
	p := New(cfg, nil, Options{})
	if p.cfgErr != nil {
		return p.cfgErr
	}
	s, err := p.open(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	if p.cfg.ProcessedFolder != "" {
		if _, err := s.c.Status(p.cfg.ProcessedFolder, &imap.StatusOptions{NumMessages: true}).Wait(); err != nil {
			return p.folderError(ctx, "processed folder", p.cfg.ProcessedFolder, err)
		}
	}
	return nil
}

// PollOnce connects, delivers every new message in UID order, marking or
// moving each right after its Deliver succeeded, and disconnects. A message
// whose Deliver fails is left for the next pass, and the others proceed;
// the error is then a *DeliverError.
func (p *Poller) PollOnce(ctx context.Context) (delivered int, err error) {
	if p.cfgErr != nil {
		return 0, p.cfgErr
	}
	s, err := p.open(ctx)
	if err != nil {
		return 0, err
	}
	defer s.close()
	return p.poll(ctx, s)
}

// Run polls until ctx is done, then returns nil. Between passes it waits
// in IDLE when the server offers it (waking as soon as a message arrives,
// and at least every IdleTimeout), else for Interval. Connection and server
// errors are logged and followed by a reconnect after an exponential
// back-off, so Run survives the server going away; failed deliveries are
// retried on the same connection after a back-off. Only an invalid Config
// makes Run return early, with that error.
func (p *Poller) Run(ctx context.Context) error {
	if p.cfgErr != nil {
		return p.cfgErr
	}
	backoff := p.opts.RetryMin
	for {
		healthy, err := p.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if healthy {
			// The server worked for a while; start the back-off over.
			backoff = p.opts.RetryMin
		}
		wait := jitter(backoff)
		p.log.Warn("imap mailbox unavailable, reconnecting", slog.Any("err", err), slog.Duration("retry_in", wait))
		if !sleep(ctx, wait) {
			return nil
		}
		backoff = min(backoff*2, p.opts.RetryMax)
	}
}

// session serves one connection until it fails or ctx is done. healthy
// reports whether at least one pass got through, so a server that accepts
// logins but fails every pass still meets a growing back-off.
func (p *Poller) session(ctx context.Context) (healthy bool, err error) {
	s, err := p.open(ctx)
	if err != nil {
		return false, err
	}
	defer s.close()
	p.log.Debug("imap mailbox connected", slog.Bool("idle", s.c.Caps().Has(imap.CapIdle)))
	failures := 0
	for {
		n, err := p.poll(ctx, s)
		if n > 0 {
			p.log.Info("imap messages delivered", slog.Int("count", n))
		}
		var derr *DeliverError
		switch {
		case ctx.Err() != nil:
			return healthy, ctx.Err()
		case err != nil && !errors.As(err, &derr):
			return healthy, err
		}
		healthy = true
		if derr != nil {
			// The connection is fine; retry the failed messages soon, but
			// back off in case the store is down.
			wait := jitter(min(p.opts.RetryMin<<min(failures, 16), p.opts.RetryMax))
			failures++
			p.log.Warn("imap messages not delivered, will retry", slog.Any("err", err), slog.Duration("retry_in", wait))
			if !sleep(ctx, wait) {
				return true, ctx.Err()
			}
			continue
		}
		failures = 0
		if s.c.Caps().Has(imap.CapIdle) {
			if err := p.idle(ctx, s); err != nil {
				return true, err
			}
		} else if !sleep(ctx, p.opts.Interval) {
			return true, ctx.Err()
		}
	}
}

// idle waits in IDLE until the server reports a new message, IdleTimeout
// passes, the connection drops or ctx is done.
func (p *Poller) idle(ctx context.Context, s *session) error {
	cmd, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("imapsource: idle: %w", err)
	}
	timer := time.NewTimer(p.opts.IdleTimeout)
	defer timer.Stop()
	select {
	case <-s.newMail:
	case <-timer.C:
	case <-ctx.Done():
	case <-s.c.Closed():
	}
	err = cmd.Close()
	if err == nil {
		err = cmd.Wait()
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("imapsource: idle: %w", err)
	}
	return nil
}

// poll is one pass over the selected folder.
func (p *Poller) poll(ctx context.Context, s *session) (delivered int, err error) {
	// NOOP lets the server report messages that arrived since the last
	// command; any EXISTS after this point is news for the next IDLE.
	if err := s.c.Noop().Wait(); err != nil {
		return 0, p.wrapErr(ctx, "noop", err)
	}
	s.drainNewMail()

	criteria := &imap.SearchCriteria{NotFlag: []imap.Flag{TooBigFlag, imap.FlagDeleted}}
	if p.cfg.ProcessedFolder == "" {
		criteria.NotFlag = append(criteria.NotFlag, imap.FlagSeen)
	}
	data, err := s.c.UIDSearch(criteria, nil).Wait()
	if err != nil {
		return 0, p.wrapErr(ctx, "search", err)
	}
	uids := data.AllUIDs()
	if len(uids) == 0 {
		return 0, nil
	}
	sizes, err := p.sizes(ctx, s, uids)
	if err != nil {
		return 0, err
	}

	var wanted []imap.UID
	for _, u := range sortedUIDs(uids) {
		size, ok := sizes[u]
		switch {
		case !ok:
			// Expunged by another client since the search.
		case size > p.opts.MaxMessageBytes:
			if err := p.skipTooBig(ctx, s, u, size); err != nil {
				return 0, err
			}
		default:
			wanted = append(wanted, u)
		}
	}

	var failed []uint32
	var firstErr error
	for len(wanted) > 0 {
		batch := p.nextBatch(wanted, sizes)
		wanted = wanted[len(batch):]
		bodies, err := p.fetchBodies(ctx, s, batch)
		if err != nil {
			return delivered, err
		}
		for _, u := range batch {
			raw, ok := bodies[u]
			if !ok {
				continue // expunged meanwhile
			}
			if int64(len(raw)) > p.opts.MaxMessageBytes {
				// RFC822.SIZE understated it.
				if err := p.skipTooBig(ctx, s, u, int64(len(raw))); err != nil {
					return delivered, err
				}
				continue
			}
			if err := p.deliver(ctx, raw); err != nil {
				if ctx.Err() != nil {
					return delivered, ctx.Err()
				}
				p.log.Warn("imap message not delivered; left in place for the next pass", slog.Uint64("uid", uint64(u)), slog.Any("err", err))
				failed = append(failed, uint32(u))
				if firstErr == nil {
					firstErr = err
				}
				continue
			}
			// Committed by the caller: from here on a crash means a
			// duplicate delivery, which the caller's dedupe absorbs.
			delivered++
			if err := p.markDone(ctx, s, u); err != nil {
				return delivered, err
			}
		}
	}
	if len(failed) > 0 {
		return delivered, &DeliverError{UIDs: failed, Err: firstErr}
	}
	return delivered, nil
}

// nextBatch takes messages from the front of wanted up to BatchSize and
// batchBytes, always at least one.
func (p *Poller) nextBatch(wanted []imap.UID, sizes map[imap.UID]int64) []imap.UID {
	var total int64
	n := 0
	for n < len(wanted) && n < p.opts.BatchSize {
		total += sizes[wanted[n]]
		if n > 0 && total > batchBytes {
			break
		}
		n++
	}
	return wanted[:n]
}

func (p *Poller) sizes(ctx context.Context, s *session, uids []imap.UID) (map[imap.UID]int64, error) {
	bufs, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return nil, p.wrapErr(ctx, "fetch sizes", err)
	}
	sizes := make(map[imap.UID]int64, len(bufs))
	for _, b := range bufs {
		sizes[b.UID] = b.RFC822Size
	}
	return sizes, nil
}

func (p *Poller) fetchBodies(ctx context.Context, s *session, uids []imap.UID) (map[imap.UID][]byte, error) {
	// PEEK: fetching must not set \Seen; only a committed delivery does.
	section := &imap.FetchItemBodySection{Peek: true}
	bufs, err := s.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{
		UID:         true,
		BodySection: []*imap.FetchItemBodySection{section},
	}).Collect()
	if err != nil {
		return nil, p.wrapErr(ctx, "fetch messages", err)
	}
	bodies := make(map[imap.UID][]byte, len(bufs))
	for _, b := range bufs {
		if raw := b.FindBodySection(section); raw != nil {
			bodies[b.UID] = raw
		}
	}
	return bodies, nil
}

func (p *Poller) skipTooBig(ctx context.Context, s *session, uid imap.UID, size int64) error {
	p.log.Warn("imap message too big; skipped and flagged "+string(TooBigFlag),
		slog.Uint64("uid", uint64(uid)), slog.Int64("size", size), slog.Int64("limit", p.opts.MaxMessageBytes))
	err := s.c.Store(imap.UIDSetNum(uid), &imap.StoreFlags{
		Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{TooBigFlag},
	}, nil).Close()
	if err != nil {
		return p.wrapErr(ctx, "flag too-big message", err)
	}
	return nil
}

// markDone marks a delivered message \Seen, or moves it to the processed
// folder, creating that folder if the server asks for it.
func (p *Poller) markDone(ctx context.Context, s *session, uid imap.UID) error {
	set := imap.UIDSetNum(uid)
	if p.cfg.ProcessedFolder == "" {
		err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
		if err != nil {
			return p.wrapErr(ctx, "mark seen", err)
		}
		return nil
	}
	err := p.move(s, set)
	var ie *imap.Error
	if errors.As(err, &ie) && ie.Code == imap.ResponseCodeTryCreate {
		p.log.Info("creating processed folder", slog.String("processed_folder", p.cfg.ProcessedFolder))
		if err := s.c.Create(p.cfg.ProcessedFolder, nil).Wait(); err != nil && !isCode(err, imap.ResponseCodeAlreadyExists) {
			return p.wrapErr(ctx, "create processed folder", err)
		}
		err = p.move(s, set)
	}
	if err != nil {
		return p.wrapErr(ctx, "move to processed folder", err)
	}
	return nil
}

// move uses MOVE, or else COPY, STORE \Deleted and EXPUNGE one after the
// other: go-imap's own fallback pipelines the three, and Dovecot 2.3 was
// seen to answer such a pipelined UID EXPUNGE before the \Deleted flag
// counted, leaving the message behind. Without UIDPLUS the plain EXPUNGE also removes messages
// someone else flagged \Deleted in this folder, which is what they asked for.
// A failure after COPY leaves a copy in both folders; the next pass then
// delivers it again (deduplicated by the caller) and copies it once more.
func (p *Poller) move(s *session, set imap.UIDSet) error {
	caps := s.c.Caps()
	if caps.Has(imap.CapMove) {
		_, err := s.c.Move(set, p.cfg.ProcessedFolder).Wait()
		return err
	}
	if _, err := s.c.Copy(set, p.cfg.ProcessedFolder).Wait(); err != nil {
		return err
	}
	err := s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close()
	if err != nil {
		return err
	}
	if caps.Has(imap.CapUIDPlus) {
		return s.c.UIDExpunge(set).Close()
	}
	return s.c.Expunge().Close()
}

func (p *Poller) wrapErr(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("imapsource: %s: %w", op, err)
}

func isCode(err error, code imap.ResponseCode) bool {
	var ie *imap.Error
	return errors.As(err, &ie) && ie.Code == code
}

func sortedUIDs(uids []imap.UID) []imap.UID {
	out := slices.Clone(uids)
	slices.Sort(out)
	return out
}

// jitter spreads reconnects of many pollers by ±20%.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()-0.5)*0.4*float64(d))
}

// sleep waits d or until ctx is done, reporting whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
