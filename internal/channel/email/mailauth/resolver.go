package mailauth

import (
	"context"
	"net"
	"time"
)

// netResolver is the production Resolver: the system's resolver, or one
// DNS server, with a short timeout on every lookup so a slow DNS makes a
// message unverified instead of holding the SMTP session.
type netResolver struct {
	r       *net.Resolver
	timeout time.Duration
}

// NewNetResolver returns a Resolver over net.Resolver. server is a
// "host:port" DNS server to ask instead of the system's ("" for the
// system's); timeout bounds each lookup (default 5 s).
func NewNetResolver(server string, timeout time.Duration) Resolver {
	if timeout <= 0 {
		timeout = 5 * time.Second
	}
	r := &net.Resolver{}
	if server != "" {
		d := &net.Dialer{}
		r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, server)
		}}
	}
	return netResolver{r: r, timeout: timeout}
}

func (n netResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	return n.r.LookupTXT(ctx, name)
}

func (n netResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	return n.r.LookupMX(ctx, name)
}

func (n netResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	return n.r.LookupIPAddr(ctx, host)
}

func (n netResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, n.timeout)
	defer cancel()
	return n.r.LookupAddr(ctx, addr)
}
