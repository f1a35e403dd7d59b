// Package config reads Ombud's infrastructure settings from command-line
// flags and OMBUD_* environment variables (flags win). Business settings
// live in the database, edited in the UI.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/secret"
)

// Config is the infrastructure configuration of one ombud process.
type Config struct {
	Addr         string // HTTP listen address
	DataDir      string // SQLite file and blobs
	DatabaseURL  string // postgres://… (empty: SQLite)
	SMTPAddr     string // inbound SMTP listen address ("" disables)
	SMTPHostname string // name in SMTP greetings and Message-IDs (default: the base URL's host)
	MaxMailBytes int64  // largest accepted inbound email (552 beyond)
	BaseURL      string // public URL for links (default http://Addr)
	Demo         bool   // load demo data into an empty database
	LogFormat    string // text or json
	LogLevel     string // debug, info, warn, error
	MaxBodyBytes int64  // largest accepted request body
	// ImportMaxBytes bounds one POST /api/v1/import body, read as a
	// stream and committed batch by batch (default 1 GiB; 413 beyond).
	ImportMaxBytes int64
	ShutdownWait   time.Duration // how long in-flight requests may finish on stop
	SecureCookie   bool          // mark cookies Secure (set when served over TLS)
	// WebhookAllowPrivate lets rule webhooks reach loopback and private
	// addresses (off: a rule cannot probe the server's own network).
	WebhookAllowPrivate bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed (none by default: the connection's peer is the client).
	TrustedProxies []netip.Prefix
	// SecretKey encrypts stored credentials: base64 keys, the current one
	// first, then previous ones still accepted for reading (rotation).
	// Empty: a key generated into DataDir/secret.key on first start.
	SecretKey string
	// TrustedMTA lists the mail server relaying into the SMTP listener:
	// its authserv-ids and addresses (see TrustedMTAs, mailauth.go).
	TrustedMTA string
	// MailDNS is the DNS server for sender checks (host:port), "" for the
	// system's, "off" for none (only trusted MTA headers verify).
	MailDNS string
	// MetricsAddr serves /metrics on its own listener, and only there;
	// MetricsToken is the bearer token /metrics requires (metrics.go).
	MetricsAddr, MetricsToken string
	// AccessLog is off, sampled or full; SlowRequest is the duration from
	// which a request is always logged (accesslog.go).
	AccessLog   string
	SlowRequest time.Duration
	// SessionIdle and SessionMax are the browser sessions' idle and
	// absolute timeouts (sessions.go).
	SessionIdle, SessionMax time.Duration
	// APIRateLimit and APIIPRateLimit are requests per minute (ratelimit.go).
	APIRateLimit, APIIPRateLimit int
	// OrdersCacheTTL is how long a shop's answer is reused; KBCounterFlush
	// how often knowledge base counts are written (caching.go).
	OrdersCacheTTL, KBCounterFlush time.Duration
	// SQLite is the embedded database's connections and their memory
	// (sqlite.go).
	SQLite SQLite
	// GC is ombud serve's collector policy (gc.go).
	GC GC
	// gcHeapGoalSet: --gc-heap-goal or OMBUD_GC_HEAP_GOAL was given, so
	// the engine's default (validateGC) does not apply.
	gcHeapGoalSet bool
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		Addr:           "127.0.0.1:8080",
		DataDir:        "./ombud-data",
		SMTPAddr:       "",
		LogFormat:      "text",
		LogLevel:       "info",
		MaxBodyBytes:   10 << 20,
		ImportMaxBytes: 1 << 30,
		MaxMailBytes:   40 << 20,
		ShutdownWait:   20 * time.Second,
		AccessLog:      "sampled",
		SlowRequest:    time.Second,
		SessionIdle:    DefaultSessionIdle,
		SessionMax:     DefaultSessionMax,
		OrdersCacheTTL: DefaultOrdersCacheTTL,
		KBCounterFlush: DefaultKBCounterFlush,

		APIRateLimit:   DefaultAPIRateLimit,
		APIIPRateLimit: DefaultAPIIPRateLimit,
		GC:             GC{Percent: DefaultGCPercent, HeapGoalMiB: DefaultGCHeapGoalMiB},
	}
}

// Bind registers the flags on fs, with defaults taken from the environment
// (getenv) where OMBUD_<NAME> is set.
func (c *Config) Bind(fs *flag.FlagSet, getenv func(string) string, serve bool) *error {
	var envErr error
	str := func(p *string, name, usage string) {
		if v := getenv(envName(name)); v != "" {
			*p = v
		}
		fs.StringVar(p, name, *p, usage)
	}
	str(&c.DataDir, "data", "data directory for the SQLite database and attachments")
	str(&c.DatabaseURL, "database-url", "PostgreSQL URL (postgres://…); empty uses SQLite in --data")
	str(&c.LogFormat, "log-format", "log format: text or json")
	str(&c.LogLevel, "log-level", "log level: debug, info, warn or error")
	c.bindSQLite(fs, getenv, &envErr)
	str(&c.SecretKey, "secret-key", "key(s) encrypting stored credentials: base64 of 32 bytes, current first, then previous ones, comma-separated (default: generated into DATA/secret.key; prefer the environment variable)")
	if !serve {
		return &envErr
	}
	str(&c.Addr, "addr", "HTTP listen address")
	str(&c.SMTPAddr, "smtp-addr", "inbound SMTP listen address (empty disables)")
	str(&c.SMTPHostname, "smtp-hostname", "host name in SMTP greetings and Message-IDs (default: the base URL's host)")
	str(&c.TrustedMTA, "trusted-mta", "mail server relaying into the SMTP listener whose Authentication-Results headers are trusted: its authserv-ids and IP addresses or CIDR ranges, comma-separated")
	str(&c.MailDNS, "mail-dns", "DNS server (host:port) for DKIM, SPF and DMARC checks of inbound mail; empty for the system resolver, \"off\" for no checks")
	str(&c.BaseURL, "base-url", "public base URL used in links (default http://ADDR)")
	c.bindMetrics(fs, getenv)
	c.bindAccessLog(fs, getenv, &envErr)
	c.bindSessions(fs, getenv, &envErr)
	c.bindCaching(fs, getenv, &envErr)
	c.bindRateLimits(fs, getenv, &envErr)
	c.bindByteLimits(fs, getenv, &envErr)
	c.bindGC(fs, getenv, &envErr)
	if v := getenv("OMBUD_DEMO"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			envErr = fmt.Errorf("OMBUD_DEMO: want true or false, got %q", v)
		}
		c.Demo = b
	}
	fs.BoolVar(&c.Demo, "demo", c.Demo, "load demo data into an empty database and print the sign-in details")
	if v := getenv("OMBUD_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			envErr = fmt.Errorf("OMBUD_WEBHOOK_ALLOW_PRIVATE: want true or false, got %q", v)
		}
		c.WebhookAllowPrivate = b
	}
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", c.WebhookAllowPrivate, "let rule webhooks post to loopback and private addresses")
	if v := getenv("OMBUD_SHUTDOWN_WAIT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			envErr = fmt.Errorf("OMBUD_SHUTDOWN_WAIT: want a duration such as 20s, got %q", v)
		}
		c.ShutdownWait = d
	}
	fs.DurationVar(&c.ShutdownWait, "shutdown-wait", c.ShutdownWait, "how long in-flight requests may finish on stop")
	if v := getenv("OMBUD_TRUSTED_PROXIES"); v != "" {
		p, err := ParseTrustedProxies(v)
		if err != nil {
			envErr = fmt.Errorf("OMBUD_TRUSTED_PROXIES: %w", err)
		}
		c.TrustedProxies = p
	}
	fs.Func("trusted-proxies", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (default none)", func(v string) (err error) {
		c.TrustedProxies, err = ParseTrustedProxies(v)
		return err
	})
	return &envErr
}

// bindByteLimits registers --max-mail-bytes, --max-body-bytes and
// --import-max-bytes.
func (c *Config) bindByteLimits(fs *flag.FlagSet, getenv func(string) string, envErr *error) {
	for _, d := range []struct {
		p          *int64
		name, help string
	}{
		{&c.MaxMailBytes, "max-mail-bytes", "largest accepted inbound email in bytes (SMTP 552 beyond)"},
		{&c.MaxBodyBytes, "max-body-bytes", "largest accepted request body in bytes (413 beyond)"},
		{&c.ImportMaxBytes, "import-max-bytes", "largest POST /api/v1/import body in bytes, read as a stream (413 beyond, with what was committed)"},
	} {
		if v := getenv(envName(d.name)); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				*envErr = fmt.Errorf("%s: want a number of bytes, got %q", envName(d.name), v)
			}
			*d.p = n
		}
		fs.Int64Var(d.p, d.name, *d.p, d.help)
	}
}

func envName(flagName string) string {
	return "OMBUD_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Validate checks the configuration and fills derived values.
func (c *Config) Validate() error {
	var errs []error
	if c.DatabaseURL == "" && c.DataDir == "" {
		errs = append(errs, errors.New("--data is required when --database-url is empty"))
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			errs = append(errs, errors.New("--database-url must be a postgres:// URL"))
		}
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			errs = append(errs, fmt.Errorf("--addr %q: %v", c.Addr, err))
		}
	}
	if c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			errs = append(errs, fmt.Errorf("--smtp-addr %q: %v", c.SMTPAddr, err))
		}
	}
	errs = append(errs, c.validateMetrics()...)
	errs = append(errs, c.validateRateLimits()...)
	errs = append(errs, c.validateSQLite()...)
	errs = append(errs, c.validateAccessLog()...)
	errs = append(errs, c.validateSessions()...)
	errs = append(errs, c.validateCaching()...)
	errs = append(errs, c.validateGC()...)
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("--log-format must be text or json, not %q", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level must be debug, info, warn or error, not %q", c.LogLevel))
	}
	if c.MaxMailBytes < 1024 {
		errs = append(errs, errors.New("--max-mail-bytes must be at least 1024"))
	}
	if strings.ContainsAny(c.SMTPHostname, " /@:") {
		errs = append(errs, fmt.Errorf("--smtp-hostname %q must be a host name", c.SMTPHostname))
	}
	errs = append(errs, c.validateMailAuth()...)
	if c.SecretKey != "" {
		if _, err := secret.ParseKeys(c.SecretKey); err != nil {
			errs = append(errs, fmt.Errorf("--secret-key / OMBUD_SECRET_KEY: %w", err))
		}
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("--max-body-bytes must be at least 1024"))
	}
	if c.ImportMaxBytes < 1024 {
		errs = append(errs, errors.New("--import-max-bytes must be at least 1024"))
	}
	if c.BaseURL != "" {
		if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("--base-url must be an http(s) URL"))
		} else if u.Scheme == "https" {
			c.SecureCookie = true
		}
	}
	return errors.Join(errs...)
}

// Hostname is the name this server gives itself in mail: the SMTP
// hostname, else the base URL's host, else "localhost".
func (c Config) Hostname() string {
	if c.SMTPHostname != "" {
		return c.SMTPHostname
	}
	if u, err := url.Parse(c.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "localhost"
}

// ParseTrustedProxies reads a comma-separated list of IP addresses and
// CIDR prefixes. IPv4-mapped IPv6 forms become IPv4, as client addresses do.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var p netip.Prefix
		if strings.Contains(f, "/") {
			var err error
			if p, err = netip.ParsePrefix(f); err != nil {
				return nil, fmt.Errorf("trusted proxy %q: want an IP address or CIDR", f)
			}
		} else {
			a, err := netip.ParseAddr(f)
			if err != nil || a.Zone() != "" {
				return nil, fmt.Errorf("trusted proxy %q: want an IP address or CIDR", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
