// Package journey_test holds the Chromium journeys: each starts the real
// program (both engines where the issue asks) and drives Debian's Chromium
// through what a person does. They live apart from internal/app's tests so
// the two long packages run side by side.
package journey_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) {
	var b sharedBrowser
	shared = &b
	dbtest.MainThen(m, b.close)
}

// run calls the real command line.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	return apptest.Run(t, env, args...)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	return apptest.FreeAddr(t)
}

// server is an `ombud serve` running in-process.
type server struct {
	*apptest.Process
	url string
}

// serve starts the real program in-process on a free loopback port.
func serve(t *testing.T, env map[string]string) *server {
	t.Helper()
	p := apptest.Serve(t, env)
	return &server{Process: p, url: p.URL}
}

func api(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	return apptest.API(t, method, url, token, body)
}

func chromiumPath(t *testing.T) string {
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: install Debian's chromium package (scripts/test.sh does)")
	return ""
}

// shared is the package's one Chromium, set by TestMain: starting a browser
// took 1-8 s of a journey's time on a busy 2-core machine, and every journey
// started its own (or two).
var shared *sharedBrowser

// sharedBrowser starts Chromium on first use and keeps it for the package's
// journeys; each journey gets a browser context of its own from it (see
// browserFor), so none sees another's cookies, storage or tabs.
type sharedBrowser struct {
	mu     sync.Mutex
	ctx    context.Context // the browser's first tab, which journeys never use
	cancel func()
}

// get returns the running browser's context, starting Chromium when none
// runs yet or when the last one has stopped (crashed), so one lost browser
// fails one journey, not every later one.
func (b *sharedBrowser) get(t *testing.T) context.Context {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ctx != nil && b.ctx.Err() == nil {
		return b.ctx
	}
	b.stop()
	ctx, cancel, err := startBrowser(chromiumPath(t))
	if err != nil {
		t.Fatalf("browser: start: %v", err)
	}
	b.ctx, b.cancel = ctx, cancel
	return ctx
}

func (b *sharedBrowser) stop() {
	if b.cancel != nil {
		b.cancel()
		b.ctx, b.cancel = nil, nil
	}
}

// close stops the browser once the package's tests have ended.
func (b *sharedBrowser) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stop()
}

// startBrowser starts a headless Debian Chromium whose life is not bound to
// any one test.
func startBrowser(path string) (context.Context, func(), error) {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 900))
	actx, acancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	stop := func() { cancel(); acancel() }
	// The first action starts the browser and binds its life to the context
	// it is given: ctx, which only stop ends (a timeout here would end the
	// browser with it).
	if err := chromedp.Do(ctx); err != nil {
		stop()
		return nil, nil, fmt.Errorf("start %s: %w", path, err)
	}
	return ctx, stop, nil
}
