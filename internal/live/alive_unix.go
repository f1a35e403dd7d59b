//go:build unix

package live

import (
	"errors"
	"net"
	"syscall"
)

// connAlive reports whether the other side of c is still there, without
// waiting: a read that returns 0 bytes (the browser closed) or an error
// other than "nothing to read" says it is gone. The browser sends nothing
// after its request; what it might send is read and discarded.
func connAlive(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	alive := true
	var buf [64]byte
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, err := syscall.Read(int(fd), buf[:])
			switch {
			case errors.Is(err, syscall.EINTR):
				continue
			case errors.Is(err, syscall.EAGAIN):
			case err != nil || n == 0:
				alive = false
			case n == len(buf):
				continue
			}
			return true // done: never wait for the descriptor
		}
	})
	return alive && err == nil
}
