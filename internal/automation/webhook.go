package automation

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	neturl "net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/secret"
)

// Poster delivers one webhook request. Errors follow the jobs conventions:
// jobs.Permanent for a request that a retry cannot fix, jobs.RetryAfter when
// the receiver names a delay, any other error to retry with backoff.
type Poster interface {
	Post(ctx context.Context, url string, header map[string]string, body []byte) error
}

// httpPoster is the real Poster. This package otherwise stays clear of
// net/http (it serves nothing); an outgoing webhook simply is an HTTP request.
type httpPoster struct{ c *http.Client }

// NewHTTPPoster returns a Poster over net/http that gives each request at
// most timeout and does not follow redirects (a webhook URL that moved is
// a configuration problem to show, not to chase). Unless allowPrivate, it
// refuses to connect to loopback, private, link-local and other non-public
// addresses — checked on the address actually dialled, after DNS — so a
// rule cannot be used to reach the server's own network (SSRF).
func NewHTTPPoster(timeout time.Duration, allowPrivate bool) Poster {
	return httpPoster{c: NewHTTPClient(timeout, allowPrivate)}
}

// NewHTTPClient is the client outgoing webhooks use (rule actions and
// webhook subscriptions alike): at most timeout per request, no redirects,
// no proxy, and unless allowPrivate only public addresses (see NewHTTPPoster).
func NewHTTPClient(timeout time.Duration, allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !allowPrivate {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip, err := netip.ParseAddr(host)
			if err != nil {
				return err
			}
			if !publicAddr(ip.Unmap()) {
				return jobs.Permanent(fmt.Errorf("webhook: %s is not a public address (allow private webhook targets in the server configuration to post there)", ip))
			}
			return nil
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = d.DialContext
	tr.Proxy = nil // a proxy would dial for us and dodge the check
	return &http.Client{
		Timeout:       timeout,
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Post's errors name the URL masked: they are stored with the job and
// shown, and the full URL is a credential.
func (p httpPoster) Post(ctx context.Context, url string, header map[string]string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(fmt.Errorf("webhook %s: invalid request", secret.MaskURL(url)))
	}
	shown := secret.MaskURL(url)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.c.Do(req)
	if err != nil {
		var ue *neturl.Error
		if errors.As(err, &ue) {
			ue.URL = shown
		}
		return fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		err := fmt.Errorf("webhook: %s answered %s", shown, resp.Status)
		if secs, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && secs > 0 {
			return jobs.RetryAfter(err, time.Duration(min(secs, 3600))*time.Second)
		}
		return err
	case resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode >= 500:
		return fmt.Errorf("webhook: %s answered %s", shown, resp.Status)
	}
	return jobs.Permanent(fmt.Errorf("webhook: %s answered %s", shown, resp.Status))
}

// postPayload is the job that delivers one webhook or chat message. The body
// and its signature are fixed when the rule fires, so every retry sends the
// same bytes and the receiver can de-duplicate on X-Ombud-Delivery.
type postPayload struct {
	URL       string `json:"url"`
	Body      string `json:"body"`
	Signature string `json:"signature,omitempty"`
	RuleID    int64  `json:"rule_id"`
	TicketID  int64  `json:"ticket_id"`
}

// Sign returns the X-Ombud-Signature value of body: "sha256=" and the hex
// HMAC-SHA256 of the body keyed by the rule's webhook secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func (s *Service) handlePost(ctx context.Context, j jobs.Job) error {
	var p postPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.URL == "" {
		return jobs.Permanent(fmt.Errorf("automation: bad webhook payload: %v", err))
	}
	h := map[string]string{
		"Content-Type":      "application/json",
		"User-Agent":        "Ombud-Webhook/1",
		"X-Ombud-Delivery":  strconv.FormatInt(j.ID, 10),
		"X-Ombud-Rule":      strconv.FormatInt(p.RuleID, 10),
		"X-Ombud-Ticket-Id": strconv.FormatInt(p.TicketID, 10),
	}
	if p.Signature != "" {
		h["X-Ombud-Signature"] = p.Signature
	}
	url, err := s.secrets.Open(purposePostURL, p.URL)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("automation: webhook url of rule %d: %w", p.RuleID, err))
	}
	return s.poster.Post(ctx, url, h, []byte(p.Body))
}
