//go:build !unix

package live

import (
	"net"
	"syscall"
)

// rawConn: without unix descriptors every write goes through the
// stream's writer goroutine.
func rawConn(net.Conn) syscall.RawConn { return nil }

type nbWriter struct{}

func newNBWriter() *nbWriter { return &nbWriter{} }

func (w *nbWriter) try(syscall.RawConn, []byte) (int, error) { return 0, nil }
