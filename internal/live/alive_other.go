//go:build !unix

package live

import "net"

// connAlive cannot look without reading here: a closed connection is
// found by the next heartbeat's failed write.
func connAlive(net.Conn) bool { return true }
