//go:build unix

package live

import (
	"net"
	"syscall"
)

// rawConn is c's descriptor for writes that never wait, or nil when c
// has none (a pipe, TLS).
func rawConn(c net.Conn) syscall.RawConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// An nbWriter writes to a socket without waiting: write(2) on the
// non-blocking descriptor takes what fits in the socket's buffer. One
// per goroutine (a shard's worker, the sweeper), so the callback handed
// to the runtime is made once, not per write.
type nbWriter struct {
	b   []byte
	n   int
	err error
	fn  func(fd uintptr) bool
}

func newNBWriter() *nbWriter {
	w := &nbWriter{}
	w.fn = w.write
	return w
}

func (w *nbWriter) write(fd uintptr) bool {
	for w.n < len(w.b) {
		n, err := syscall.Write(int(fd), w.b[w.n:])
		if n > 0 {
			w.n += n
		}
		switch {
		case err == syscall.EINTR:
			continue
		case err == syscall.EAGAIN:
			return true // the buffer is full: never wait here
		case err != nil:
			w.err = err
			return true
		case n <= 0:
			return true
		}
	}
	return true
}

// try writes what of b the socket takes now: n < len(b) without an error
// means its buffer is full.
func (w *nbWriter) try(rc syscall.RawConn, b []byte) (int, error) {
	w.b, w.n, w.err = b, 0, nil
	err := rc.Write(w.fn)
	n := w.n
	if err == nil {
		err = w.err
	}
	w.b, w.err = nil, nil
	return n, err
}
