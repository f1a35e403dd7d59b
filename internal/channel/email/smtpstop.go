package email

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// defaultShutdownGrace is how long a message being sent may take to
// finish once the listener stops, when Listener.ShutdownGrace is zero.
const defaultShutdownGrace = 5 * time.Second

// errShuttingDown answers a client the listener stops serving: a
// temporary failure, so the sender retries later (elsewhere or here).
var errShuttingDown = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Service shutting down, try again later"}

// connTracker knows every open connection of a Listener and what it is
// doing, so Shutdown can end idle ones at once and wait only for mail.
type connTracker struct {
	mu       sync.Mutex
	conns    map[string]*trackedConn // by remote address, as sessions know it
	lns      []*trackingListener     // every listener served
	stopping bool
}

// trackedConn is one client connection; its state is guarded by the
// tracker's mu.
type trackedConn struct {
	net.Conn
	t          *connTracker
	inData     bool // reading a message
	committing bool // storing a message read in full
}

func (c *trackedConn) Close() error {
	c.t.mu.Lock()
	if c.t.conns[c.RemoteAddr().String()] == c {
		delete(c.t.conns, c.RemoteAddr().String())
	}
	c.t.mu.Unlock()
	return c.Conn.Close()
}

// trackingListener records every accepted connection, including those
// that never get as far as EHLO (go-smtp makes a session only then).
// Shutdown closes it before go-smtp does, so its Close happens once.
type trackingListener struct {
	net.Listener
	t        *connTracker
	once     sync.Once
	closeErr error
}

func (tl *trackingListener) Close() error {
	tl.once.Do(func() { tl.closeErr = tl.Listener.Close() })
	return tl.closeErr
}

func (tl *trackingListener) Accept() (net.Conn, error) {
	c, err := tl.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, t: tl.t}
	tl.t.mu.Lock()
	if tl.t.conns == nil {
		tl.t.conns = map[string]*trackedConn{}
	}
	tl.t.conns[c.RemoteAddr().String()] = tc
	tl.t.mu.Unlock()
	return tc, nil
}

func (t *connTracker) isStopping() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stopping
}

// set records what the connection from remote is doing.
func (t *connTracker) set(remote string, inData, committing bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c := t.conns[remote]; c != nil {
		c.inData, c.committing = inData, committing
	}
}

// expire ends the connections not busy with a message (all: those still
// reading one too; a message being committed is always left alone). An
// expired read deadline makes go-smtp answer 421 and close.
func (t *connTracker) expire(all bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, c := range t.conns {
		if c.committing || (c.inData && !all) {
			continue
		}
		_ = c.SetReadDeadline(time.Now())
	}
}

func (t *connTracker) open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// Shutdown stops accepting connections and ends the open ones without
// waiting on clients: an idle session (nothing sent yet, or between
// messages) gets 421 at once; a message being sent may finish within
// ShutdownGrace, after which its sender gets 421 and retries later; a
// message received in full is committed and acknowledged. Only if that
// outlasts ctx are the remaining connections closed (an error: a commit
// was cut off, and its sender will retry). go-smtp's own Shutdown waits
// for every client to say QUIT, which an idle client never does.
func (l *Listener) Shutdown(ctx context.Context) error {
	l.stop.mu.Lock()
	l.stop.stopping = true
	lns := l.stop.lns
	l.stop.mu.Unlock()
	// Closed here, before any session is told 421, so that a client told
	// to go away cannot connect again while go-smtp's Shutdown starts.
	for _, ln := range lns {
		_ = ln.Close()
	}
	done := make(chan error, 1)
	go func() { done <- l.srv.Shutdown(context.WithoutCancel(ctx)) }()
	graceTime := l.ShutdownGrace
	if graceTime <= 0 {
		graceTime = defaultShutdownGrace
	}
	grace := time.NewTimer(graceTime)
	defer grace.Stop()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	all := false
	for {
		// Again on every tick: go-smtp renews the read deadline before
		// each command it reads, and a session may be between two.
		l.stop.expire(all)
		select {
		case err := <-done:
			if errors.Is(err, smtp.ErrServerClosed) {
				return nil
			}
			return err
		case <-grace.C:
			all = true
		case <-tick.C:
		case <-ctx.Done():
			n := l.stop.open()
			_ = l.srv.Close()
			return fmt.Errorf("smtp: %d connection(s) still committing mail at the shutdown deadline: %w", n, ctx.Err())
		}
	}
}
