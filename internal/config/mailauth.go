package config

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// TrustedMTAs splits --trusted-mta into the authserv-ids whose
// Authentication-Results headers count and the addresses the trusted MTA
// connects from. Items are separated by commas; an IP address or CIDR
// range is a peer, anything else an authserv-id.
func (c Config) TrustedMTAs() (ids []string, peers []netip.Prefix, err error) {
	for _, item := range strings.Split(c.TrustedMTA, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, perr := netip.ParsePrefix(item); perr == nil {
			peers = append(peers, p.Masked())
			continue
		}
		if a, aerr := netip.ParseAddr(item); aerr == nil {
			peers = append(peers, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		if strings.ContainsAny(item, "/ \t;@") || strings.Count(item, ":") > 0 {
			return nil, nil, fmt.Errorf("--trusted-mta: %q is neither an IP address, a CIDR range nor an authserv-id (a host name)", item)
		}
		ids = append(ids, strings.ToLower(item))
	}
	if len(peers) > 0 && len(ids) == 0 {
		// Which header came from the MTA is known by its authserv-id only.
		return nil, nil, errors.New("--trusted-mta lists addresses but no authserv-id: add the name the MTA writes at the start of its Authentication-Results headers")
	}
	return ids, peers, nil
}

// validateMailAuth checks --trusted-mta and --mail-dns.
func (c Config) validateMailAuth() []error {
	var errs []error
	if _, _, err := c.TrustedMTAs(); err != nil {
		errs = append(errs, err)
	}
	switch c.MailDNS {
	case "", "off":
	default:
		if _, _, err := net.SplitHostPort(c.MailDNS); err != nil {
			errs = append(errs, fmt.Errorf("--mail-dns %q must be host:port, \"off\" or empty (the system resolver)", c.MailDNS))
		}
	}
	return errs
}
