// Command bare is the physical limit BenchmarkLoad measures Ombud's reads
// against (OMBUD_BENCH_BARE=1): a net/http server with nothing behind it
// that answers GET /api/v1/tickets/{id} and GET /api/v1/tickets with the
// bytes the real server answered once (files ticket.json and list.json in
// OMBUD_BARE_DIR), after checking the bearer token as a string. What it
// costs per request is what HTTP alone costs on this machine.
package main

import (
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	dir := os.Getenv("OMBUD_BARE_DIR")
	auth := "Bearer " + os.Getenv("OMBUD_BARE_TOKEN")
	body := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			log.Fatal(err)
		}
		return b
	}
	reply := func(b []byte) http.HandlerFunc {
		n := strconv.Itoa(len(b))
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != auth {
				http.Error(w, "unauthenticated", http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Content-Length", n)
			_, _ = w.Write(b)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /api/v1/tickets/{id}", reply(body("ticket.json")))
	mux.Handle("GET /api/v1/tickets", reply(body("list.json")))
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {})
	log.Fatal(http.ListenAndServe(os.Getenv("OMBUD_BARE_ADDR"), mux))
}
