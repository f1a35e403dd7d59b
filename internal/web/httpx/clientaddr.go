package httpx

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// maxHops bounds how far X-Forwarded-For is walked: no real chain of
// trusted proxies is longer.
const maxHops = 32

// ClientAddr returns the address of the client that sent r: the peer
// (RemoteAddr), unless the peer is a trusted proxy. Then X-Forwarded-For is
// walked from the right, skipping trusted proxies, and the first address
// that is not one is the client; everything left of it was written by the
// client and is ignored. An unreadable element stops the walk at the last
// trusted proxy, which is then taken as the client: better one shared
// address than one the client chose.
func ClientAddr(r *http.Request, trusted []netip.Prefix) string {
	peer, ok := parseHop(r.RemoteAddr)
	if !ok {
		host := r.RemoteAddr
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if len(host) > 64 {
			host = host[:64]
		}
		return host
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i, n := len(hops)-1, 0; i >= 0 && n < maxHops; i, n = i-1, n+1 {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		a, ok := parseHop(h)
		if !ok {
			break
		}
		if !isTrusted(a, trusted) {
			return a.String()
		}
		peer = a
	}
	return peer.String()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHop reads an address as proxies write it: 192.0.2.1, 192.0.2.1:80,
// 2001:db8::1, [2001:db8::1] or [2001:db8::1]:443. IPv4-mapped IPv6 is
// returned as IPv4 and zones are dropped, so one host has one form.
func parseHop(s string) (netip.Addr, bool) {
	if len(s) > 64 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		ap, err2 := netip.ParseAddrPort(s)
		if err2 != nil {
			if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
				return netip.Addr{}, false
			}
			if a, err = netip.ParseAddr(s[1 : len(s)-1]); err != nil {
				return netip.Addr{}, false
			}
		} else {
			a = ap.Addr()
		}
	}
	return a.Unmap().WithZone(""), true
}

type clientAddrKey struct{}

// WithClientAddr stores the request's client address (the server sets it
// once per request with ClientAddr and the configured trusted proxies).
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// RequestClientAddr is the client address the server derived for r, or the
// peer's address when none was stored (a handler called directly). Use it
// wherever a client address is checked or recorded (sign-in limits,
// sessions, audit).
func RequestClientAddr(r *http.Request) string {
	if a, ok := r.Context().Value(clientAddrKey{}).(string); ok {
		return a
	}
	return ClientAddr(r, nil)
}
