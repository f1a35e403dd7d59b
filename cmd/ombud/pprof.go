//go:build pprof

package main

import (
	"net"
	"net/http"
	_ "net/http/pprof" // profiles for benchmarks; never in a release build
	"os"
)

// With -tags pprof (the load benchmark's OMBUD_BENCH_PROFILE builds so),
// OMBUD_PPROF_ADDR serves net/http/pprof on its own listener.
func init() {
	addr := os.Getenv("OMBUD_PPROF_ADDR")
	if addr == "" {
		return
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return
	}
	go func() { _ = http.Serve(l, http.DefaultServeMux) }()
}
