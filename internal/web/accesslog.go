package web

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Access log modes (--access-log).
const (
	AccessLogOff     = "off"     // slow requests only
	AccessLogSampled = "sampled" // slow requests, server errors, and one in SampleEvery of the rest
	AccessLogFull    = "full"    // every request
)

// AccessLog decides which requests are logged. A load of thousands of
// requests a second logged line by line costs more than it tells; slow
// requests and server errors are what an operator looks for, so they are
// always kept, and a sample shows the traffic's shape.
type AccessLog struct {
	Mode string        // off, sampled (default) or full
	Slow time.Duration // a request taking this long is always logged, at WARN (default 1s)
	// SampleEvery keeps one ordinary request in this many (default 100);
	// a sampled line says so (sampled=N), to scale counts back up.
	SampleEvery uint64
	n           atomic.Uint64
}

// log records one finished request, or not. Server.Handler sets a default
// AccessLog, so a is never nil.
func (a *AccessLog) log(ctx context.Context, log *slog.Logger, r *http.Request, w http.ResponseWriter, status int, took time.Duration) {
	mode, slow, every := AccessLogSampled, time.Second, uint64(100)
	if a.Mode != "" {
		mode = a.Mode
	}
	if a.Slow > 0 {
		slow = a.Slow
	}
	if a.SampleEvery > 0 {
		every = a.SampleEvery
	}
	if status == 0 {
		status = http.StatusOK
	}
	// Event streams and upgraded connections last as long as a page is
	// open: long, never slow.
	streaming := status == http.StatusSwitchingProtocols || strings.HasPrefix(w.Header().Get("Content-Type"), "text/event-stream")
	attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status), slog.Duration("took", took)}
	switch {
	case took >= slow && !streaming:
		log.LogAttrs(ctx, slog.LevelWarn, "slow request", append(attrs, slog.Duration("slow_threshold", slow))...)
	case mode == AccessLogOff:
	case mode == AccessLogFull:
		log.LogAttrs(ctx, slog.LevelInfo, "request", attrs...)
	case status >= 500:
		log.LogAttrs(ctx, slog.LevelWarn, "request", attrs...)
	default:
		if (a.n.Add(1)-1)%every == 0 { // the first request, then one in every
			log.LogAttrs(ctx, slog.LevelInfo, "request", append(attrs, slog.Uint64("sampled", every))...)
		}
	}
}
