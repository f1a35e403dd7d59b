package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/dbtest"
)

// BenchmarkLiveSSE measures the agent workspace's live-update stream
// (GET /live, Server-Sent Events) on a real ombud process over loopback
// (docs/benchmarks.md, "Live updates"):
//
//  1. idle streams: OMBUD_BENCH_LIVE_CONNS (default 2,000; the target is
//     10,000) streams, signed in as OMBUD_BENCH_LIVE_AGENTS agents
//     (default 10) with one session each, stay open; the server's heap and
//     stacks (runtime.MemStats after a GC, /debug/pprof/heap?gc=1), its
//     goroutines and its resident memory are read before and after, per
//     stream;
//
//  2. fan-out latency: OMBUD_BENCH_LIVE_EVENTS internal notes (default 20),
//     one every 500 ms, are added to a ticket through the API while every
//     stream is open; a delivery's latency is from the benchmark sending
//     the note's request (its commit is inside that request) to a stream
//     reading the event, for every stream and every note.
//
// OMBUD_BENCH_LIVE_PROFILE=DIR saves a CPU profile of the server over the
// first half of the fan-out phase.
//
//	OMBUD_BENCH_LIVE_CONNS=10000 go test ./bench/ -run '^$' -bench LiveSSE -benchtime 1x -timeout 30m
//
// The client side is cheap on purpose: each stream is a raw TCP connection
// from one of 1,000 loopback addresses (127.1.x.y, as BenchmarkChat) whose
// goroutine reads through a 1 KB buffer and only looks for the note's
// event. The test raises its open-file limit to the hard limit; the server
// inherits it. OMBUD_BENCH_ENGINES picks sqlite and/or postgres (default
// sqlite); OMBUD_BENCH_COMPARE names an older build (-tags pprof) to run
// before this one.
func BenchmarkLiveSSE(b *testing.B) {
	conns := envInt("OMBUD_BENCH_LIVE_CONNS", 2000)
	agents := envInt("OMBUD_BENCH_LIVE_AGENTS", 10)
	events := envInt("OMBUD_BENCH_LIVE_EVENTS", 20)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite"
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if need := uint64(conns + 200); lim.Cur < need {
		b.Fatalf("open-file limit %d is below the %d the benchmark needs (ulimit -Hn)", lim.Cur, need)
	}
	bin := filepath.Join(b.TempDir(), "ombud")
	if out, err := exec.Command("go", "build", "-tags", "pprof", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	builds := []struct{ name, bin string }{{"", bin}}
	if old := os.Getenv("OMBUD_BENCH_COMPARE"); old != "" {
		builds = []struct{ name, bin string }{{"before", old}, {"after", bin}}
	}
	for _, engine := range strings.Split(engines, ",") {
		for _, build := range builds {
			name := engine
			if build.name != "" {
				name += "/" + build.name
			}
			b.Run(name, func(b *testing.B) { benchLive(b, build.bin, engine, name, conns, agents, events) })
		}
	}
}

func benchLive(b *testing.B, bin, engine, name string, n, agents, events int) {
	pprofAddr := freeAddr(b)
	env := []string{"OMBUD_DATA=" + filepath.Join(b.TempDir(), "data"), "OMBUD_PPROF_ADDR=" + pprofAddr}
	if engine == "postgres" {
		env = append(env, "OMBUD_DATABASE_URL="+dbtest.NewPostgresDatabase(b))
	}
	s := start(b, bin, b.TempDir(), env, 0)
	var cookies []string
	for i := range agents {
		email := fmt.Sprintf("live%d@ombud.test", i)
		run(b, bin, env, "user", "create", "--email", email, "--name", fmt.Sprintf("Live %d", i), "--role", "agent", "--password", "bench-password-1")
		jar := signIn(b, s.url, email)
		u, _ := url.Parse(s.url)
		var parts []string
		for _, c := range jar.Cookies(u) {
			parts = append(parts, c.Name+"="+c.Value)
		}
		cookies = append(cookies, strings.Join(parts, "; "))
	}
	c := &http.Client{Timeout: 30 * time.Second}
	var created struct {
		ID int64 `json:"id"`
	}
	body := `{"subject":"Live bench","description":"Where is my parcel?","requester":{"email":"live@customers.example","name":"Live Customer"},"channel":"web"}`
	if err := requestJSON(c, "POST", s.url+"/api/v1/tickets", s.token, []byte(body), 201, &created); err != nil || created.ID == 0 {
		b.Fatalf("ticket: %v", err)
	}
	pid := s.cmd.Process.Pid
	settle(pid, 20*time.Second)
	settleRSS(pid, 30*time.Second)
	before := serverMem(b, pprofAddr, pid)
	sockBefore := tcpMem()
	rec := &liveRecorder{}
	streams := openStreams(b, s.url, cookies, n, rec)
	defer func() {
		for _, st := range streams {
			st.Close()
		}
	}()
	settle(pid, 30*time.Second)
	settleRSS(pid, 30*time.Second)
	after := serverMem(b, pprofAddr, pid)
	sockAfter := tcpMem()
	fn := float64(len(streams))
	perConn := (after.heap + after.stack - before.heap - before.stack) / fn
	b.Logf("%s: %d idle /live streams: heap %.1f → %.1f MiB, stacks %.1f → %.1f MiB, goroutines %d → %d, RSS %.1f → %.1f MiB",
		name, len(streams), before.heap/(1<<20), after.heap/(1<<20), before.stack/(1<<20), after.stack/(1<<20),
		before.goroutines, after.goroutines, before.rss/(1<<20), after.rss/(1<<20))
	b.Logf("%s: per stream: heap+stack %.1f KB (heap %.1f, stack %.1f), RSS %.1f KB, goroutines %.2f; load average %s",
		name, perConn/1024, (after.heap-before.heap)/fn/1024, (after.stack-before.stack)/fn/1024, (after.rss-before.rss)/fn/1024,
		float64(after.goroutines-before.goroutines)/fn, loadAvg())
	b.Logf("%s: kernel TCP buffer memory (all sockets, /proc/net/sockstat) %.1f → %.1f MiB", name, sockBefore/(1<<20), sockAfter/(1<<20))
	b.ReportMetric(perConn/1024, "KB/conn")
	b.ReportMetric((after.rss-before.rss)/fn/1024, "RSS-KB/conn")

	// Fan-out: one note at a time, every stream must see each.
	var lat []time.Duration
	missing := 0
	cpuBefore, selfBefore := procCPU(pid), selfCPU()
	var profile chan []byte
	if dir := os.Getenv("OMBUD_BENCH_LIVE_PROFILE"); dir != "" {
		profile = make(chan []byte, 1)
		go func() { profile <- cpuProfile(pprofAddr, events/2) }()
		defer func() {
			if p := <-profile; len(p) > 0 {
				f := filepath.Join(dir, strings.ReplaceAll(name, "/", "-")+".pprof")
				if os.WriteFile(f, p, 0o644) == nil {
					b.Logf("%s: CPU profile of the fan-out in %s", name, f)
				}
			}
		}()
	}
	begin := time.Now()
	for i := range events {
		rec.arm(len(streams))
		sent := time.Now()
		note := fmt.Sprintf(`{"body":"Live note %d","public":false}`, i)
		if err := requestJSON(c, "POST", fmt.Sprintf("%s/api/v1/tickets/%d/comments", s.url, created.ID), s.token, []byte(note), 201, nil); err != nil {
			b.Fatal(err)
		}
		got := rec.wait(10 * time.Second)
		missing += len(streams) - len(got)
		for _, at := range got {
			lat = append(lat, at.Sub(sent))
		}
		time.Sleep(500 * time.Millisecond)
	}
	wall := time.Since(begin).Seconds()
	cpu, self := procCPU(pid)-cpuBefore, selfCPU()-selfBefore
	if len(lat) == 0 {
		b.Fatal("no event reached a stream")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	b.Logf("%s: %d notes × %d streams: %d deliveries, %d missing; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms",
		name, events, len(streams), len(lat), missing, ms(q(0.5)), ms(q(0.95)), ms(q(0.99)), ms(lat[len(lat)-1]))
	b.Logf("%s: CPU in %.0f s: server %.2f s (%.1f ms per note), benchmark client %.2f s; load average %s",
		name, wall, cpu, cpu*1000/float64(events), self, loadAvg())
	b.ReportMetric(ms(q(0.99)), "p99-ms")
	b.ReportMetric(float64(missing), "missing")
}

// liveRecorder collects when each stream read the current note's event.
type liveRecorder struct {
	mu    sync.Mutex
	round int
	got   []time.Time
	want  int
	full  chan struct{}
}

func (r *liveRecorder) arm(want int) {
	r.mu.Lock()
	r.round++
	r.got, r.want, r.full = make([]time.Time, 0, want), want, make(chan struct{})
	r.mu.Unlock()
}

// seen records a stream's reading of the note's event (once per round).
func (r *liveRecorder) seen(last *int, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.full == nil || *last == r.round {
		return
	}
	*last = r.round
	r.got = append(r.got, at)
	if len(r.got) == r.want {
		close(r.full)
	}
}

func (r *liveRecorder) wait(d time.Duration) []time.Time {
	r.mu.Lock()
	full := r.full
	r.mu.Unlock()
	select {
	case <-full:
	case <-time.After(d):
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	got := r.got
	r.full = nil
	return got
}

// openStreams opens n /live streams, round-robin over the sessions, 64 at
// a time, each from one of 1,000 loopback addresses; it returns once
// every stream has answered (its "retry" line).
func openStreams(t testing.TB, base string, cookies []string, n int, rec *liveRecorder) []net.Conn {
	addr := strings.TrimPrefix(base, "http://")
	out := make([]net.Conn, n)
	begin := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				d := net.Dialer{LocalAddr: &net.TCPAddr{IP: srcIP(i)}, Timeout: 10 * time.Second}
				conn, err := d.Dial("tcp", addr)
				if err != nil {
					errs <- fmt.Errorf("stream %d: %w", i, err)
					return
				}
				_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
				if _, err := fmt.Fprintf(conn, "GET /live HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\nCookie: %s\r\n\r\n", addr, cookies[i%len(cookies)]); err != nil {
					errs <- fmt.Errorf("stream %d: %w", i, err)
					return
				}
				br := bufio.NewReaderSize(conn, 1024)
				status, err := br.ReadString('\n')
				if err == nil && !strings.Contains(status, " 200 ") {
					err = fmt.Errorf("status %q", strings.TrimSpace(status))
				}
				for err == nil {
					var line string
					if line, err = br.ReadString('\n'); strings.HasPrefix(line, "retry:") {
						break
					}
				}
				if err != nil {
					conn.Close()
					errs <- fmt.Errorf("stream %d: %w", i, err)
					return
				}
				_ = conn.SetDeadline(time.Time{})
				out[i] = conn
				go readStream(br, rec)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		for _, c := range out {
			if c != nil {
				c.Close()
			}
		}
		t.Fatal(err)
	}
	t.Logf("%d streams open in %.1f s", n, time.Since(begin).Seconds())
	return out
}

// readStream reads a stream's lines until it closes, telling rec when a
// note's event arrives (chunk-size lines and pings pass by).
func readStream(br *bufio.Reader, rec *liveRecorder) {
	last := 0
	for {
		line, err := br.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
		if bytes.HasPrefix(line, []byte("data: ")) && bytes.Contains(line, []byte(`"comment_added"`)) {
			rec.seen(&last, time.Now())
		}
	}
}

// settleRSS waits until the process's resident memory stops falling (the
// Go runtime returns freed heap to the kernel gradually) for up to max.
func settleRSS(pid int, max time.Duration) {
	rss := func() float64 {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == "VmRSS:" {
				v, _ := strconv.ParseFloat(f[1], 64)
				return v
			}
		}
		return 0
	}
	deadline := time.Now().Add(max)
	last := rss()
	for time.Now().Before(deadline) {
		time.Sleep(2 * time.Second)
		now := rss()
		if now > last*0.99 {
			return
		}
		last = now
	}
}

// tcpMem is the kernel's memory for TCP socket buffers, all sockets of the
// machine (/proc/net/sockstat counts pages).
func tcpMem() float64 {
	b, _ := os.ReadFile("/proc/net/sockstat")
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "TCP:" {
			for i := 1; i+1 < len(f); i++ {
				if f[i] == "mem" {
					v, _ := strconv.ParseFloat(f[i+1], 64)
					return v * float64(os.Getpagesize())
				}
			}
		}
	}
	return 0
}
