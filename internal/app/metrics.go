package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/web"
)

// serveMetrics starts the --metrics-addr listener, if configured: it
// serves /metrics of h and nothing else (web.MetricsListener). A serve
// error goes to errc when there is room; stop ends the listener.
func serveMetrics(c config.Config, h http.Handler, log *slog.Logger, stdout io.Writer, errc chan<- error) (stop func(context.Context), err error) {
	if c.MetricsAddr == "" {
		return func(context.Context) {}, nil
	}
	ln, err := net.Listen("tcp", c.MetricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", c.MetricsAddr, err)
	}
	ms := &http.Server{
		Handler:           web.MetricsListener(h),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := ms.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			select {
			case errc <- fmt.Errorf("metrics server: %w", err):
			default:
			}
		}
	}()
	log.Info("serving metrics", "addr", ln.Addr().String(), "token", c.MetricsToken != "")
	fmt.Fprintf(stdout, "Metrics on http://%s/metrics\n", ln.Addr().String())
	return func(ctx context.Context) {
		if err := ms.Shutdown(ctx); err != nil {
			_ = ms.Close()
		}
	}, nil
}
