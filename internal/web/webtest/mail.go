package webtest

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/mailtest"
)

// StartOutbound gives e a mailbox whose relay is a capture server and runs
// the job runner, so queued email is really sent.
func StartOutbound(t *testing.T, e *apptest.Env) *mailtest.Capture {
	t.Helper()
	capture := mailtest.StartCapture(t)
	host, port, _ := net.SplitHostPort(capture.Addr())
	p, _ := strconv.Atoi(port)
	st, mb := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
		"address": "support@example.com", "name": "Support",
		"smtp": map[string]any{"host": host, "port": p, "security": "none"},
	})
	if st != http.StatusCreated {
		t.Fatalf("create mailbox: %d %v", st, mb["_raw"])
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = e.Sys.Jobs.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return capture
}

// WaitMail waits up to 15 s for a captured message that match accepts.
func WaitMail(t *testing.T, c *mailtest.Capture, what string, match func(*enmime.Envelope, mailtest.Captured) bool) *enmime.Envelope {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, m := range c.Messages() {
			env, err := enmime.ReadEnvelope(bytes.NewReader(m.Data))
			if err == nil && match(env, m) {
				return env
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s among %d captured messages", what, len(c.Messages()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
