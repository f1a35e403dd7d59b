package automation

import "net/netip"

// Special-purpose ranges no webhook is meant to reach (IANA's IPv4 and
// IPv6 special-purpose address registries, those not globally
// reachable), beyond what netip's predicates cover.
var (
	nonPublic4 = prefixes(
		"0.0.0.0/8",       // "this network"
		"100.64.0.0/10",   // carrier-grade NAT
		"192.0.0.0/24",    // IETF protocol assignments
		"192.0.2.0/24",    // documentation
		"192.88.99.0/24",  // 6to4 relay anycast (deprecated)
		"198.18.0.0/15",   // benchmarking
		"198.51.100.0/24", // documentation
		"203.0.113.0/24",  // documentation
		"240.0.0.0/4",     // reserved, and the broadcast address
	)
	// global6 is where IPv6 global unicast lives; everything outside it
	// (::/96 IPv4-compatible, 100::/64 discard, 64:ff9b:1::/48 local
	// NAT64, 5f00::/16 SRv6, ULA, link- and site-local, multicast) is not
	// a public host, bar the translation forms handled first.
	global6    = netip.MustParsePrefix("2000::/3")
	nonPublic6 = prefixes(
		"2001::/23",     // IETF protocol assignments: Teredo, benchmarking, ORCHID…
		"2001:db8::/32", // documentation
		"3fff::/20",     // documentation
	)
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // RFC 6052: IPv4 in the last 32 bits
	sixToFour = netip.MustParsePrefix("2002::/16")    // RFC 3056: IPv4 in bits 16–47
)

func prefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// publicAddr reports whether ip is a globally routable unicast address. An
// IPv4 address embedded in an IPv6 one (mapped, NAT64, 6to4) is judged as
// that IPv4 address: the translator would deliver to it. IPv6 is accepted
// only inside 2000::/3, so an unlisted form is refused rather than let
// through.
func publicAddr(ip netip.Addr) bool {
	if !ip.IsValid() || ip.Zone() != "" { // a zone only qualifies link-local addresses
		return false
	}
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip):
			return public4(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return public4(netip.AddrFrom4([4]byte(b[2:6])))
		case !global6.Contains(ip):
			return false
		}
		for _, p := range nonPublic6 {
			if p.Contains(ip) {
				return false
			}
		}
		return true
	}
	return public4(ip)
}

func public4(ip netip.Addr) bool {
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic4 {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
