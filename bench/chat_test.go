package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
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

	"github.com/coder/websocket"

	"github.com/ombud/ombud/internal/dbtest"
)

// BenchmarkChat measures live chat on a real ombud process over loopback
// (docs/benchmarks.md, "Live chat"):
//
//  1. idle widget connections: OMBUD_BENCH_CHAT_IDLE visitors (default
//     10,000) start a chat and keep the widget's WebSocket open; the
//     server's heap and stacks (runtime.MemStats after a GC, read from
//     /debug/pprof/heap?gc=1) and its resident memory are read before and
//     after, per connection;
//
//  2. visitor → agent latency: OMBUD_BENCH_CHAT_ACTIVE of those visitors
//     (default 1,000; the other connections are closed first) each send a message every OMBUD_BENCH_CHAT_INTERVAL
//     seconds (default 10, with jitter) for OMBUD_BENCH_SECONDS (default
//     30), while OMBUD_BENCH_CHAT_AGENTS agents (default 10) have the chat
//     console's event stream open; the latency of a message is from the
//     visitor writing its frame to each agent's stream announcing it.
//
//     go test ./bench/ -run '^$' -bench Chat -benchtime 1x -timeout 30m
//
// Beside the end-to-end latency it reports the server's per-stage times
// (ombud_chat_message_stage_seconds from /metrics; docs/metrics.md), the
// visitor's send → ack time and the CPU the server, the client and the
// PostgreSQL backends used per message. OMBUD_BENCH_CHAT_PROFILE=DIR saves
// a heap profile with the idle connections open and a CPU profile of the
// server over the latency phase; OMBUD_BENCH_COMPARE
// names an older build (-tags pprof) to run before this one per engine.
//
// OMBUD_BENCH_ENGINES picks sqlite and/or postgres (default both). The
// visitors connect from distinct loopback addresses (127.1.x.y), ten per
// address, as visitors on the internet would: the widget's per-address
// limits stay on. The test raises its open-file limit to the hard limit;
// the server inherits it.
func BenchmarkChat(b *testing.B) {
	cfg := chatConfig{
		idle:     envInt("OMBUD_BENCH_CHAT_IDLE", 10000),
		agents:   envInt("OMBUD_BENCH_CHAT_AGENTS", 10),
		interval: time.Duration(envInt("OMBUD_BENCH_CHAT_INTERVAL", 10)) * time.Second,
		seconds:  envInt("OMBUD_BENCH_SECONDS", 30),
		profile:  os.Getenv("OMBUD_BENCH_CHAT_PROFILE"),
	}
	cfg.active = min(envInt("OMBUD_BENCH_CHAT_ACTIVE", 1000), cfg.idle)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		b.Fatal(err)
	}
	if need := uint64(cfg.idle + cfg.agents + 200); lim.Cur < need {
		b.Fatalf("open-file limit %d is below the %d the benchmark needs (ulimit -Hn)", lim.Cur, need)
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "ombud")
	if out, err := exec.Command("go", "build", "-tags", "pprof", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	// OMBUD_BENCH_COMPARE names a build of an earlier commit (with -tags
	// pprof): each engine then runs it ("before") and this one ("after")
	// one after the other, under the same conditions as far as a shared
	// machine allows.
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
			b.Run(name, func(b *testing.B) { benchChat(b, cfg, build.bin, engine, name) })
		}
	}
}

type chatConfig struct {
	idle, active, agents, seconds int
	interval                      time.Duration
	profile                       string // directory for CPU profiles of the latency phase ("": none)
}

// metricsToken lets the benchmark read the server's /metrics.
const metricsToken = "bench-metrics-token-0123456789"

func benchChat(b *testing.B, cfg chatConfig, bin, engine, name string) {
	pprofAddr := freeAddr(b)
	data := filepath.Join(b.TempDir(), "data")
	env := []string{"OMBUD_DATA=" + data, "OMBUD_PPROF_ADDR=" + pprofAddr, "OMBUD_METRICS_TOKEN=" + metricsToken}
	pgName := "" // the database's name, which its backends' command lines show
	if engine == "postgres" {
		u := dbtest.NewPostgresDatabase(b)
		env = append(env, "OMBUD_DATABASE_URL="+u)
		if pu, err := url.Parse(u); err == nil {
			pgName = strings.TrimPrefix(pu.Path, "/")
		}
	}
	s := start(b, bin, b.TempDir(), env, 0)
	var agentJars []http.CookieJar
	for i := range cfg.agents {
		email := fmt.Sprintf("agent%d@ombud.test", i)
		run(b, bin, env, "user", "create", "--email", email, "--name", fmt.Sprintf("Agent %d", i), "--role", "agent", "--password", "bench-password-1")
		agentJars = append(agentJars, signIn(b, s.url, email))
	}
	vs := startVisitors(b, s.url, cfg.idle)
	pid := s.cmd.Process.Pid
	settle(pid, 20*time.Second)
	before := serverMem(b, pprofAddr, pid)
	files(b, name, data, "chats started")
	conns := connectVisitors(b, s.url, vs)
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	settle(pid, 20*time.Second)
	after := serverMem(b, pprofAddr, pid)
	files(b, name, data, "idle connections open")
	if cfg.profile != "" {
		// The heap with the idle connections open: what each one keeps.
		if resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/heap"); err == nil {
			f := filepath.Join(cfg.profile, strings.ReplaceAll(name, "/", "-")+"-idle-heap.pprof")
			if out, err := os.Create(f); err == nil {
				_, _ = io.Copy(out, resp.Body)
				out.Close()
				b.Logf("%s: heap profile with the idle connections open in %s", name, f)
			}
			resp.Body.Close()
		}
	}
	n := float64(len(conns))
	perConn := (after.heap + after.stack - before.heap - before.stack) / n
	b.Logf("%s: %d idle widget connections: heap %.1f → %.1f MiB, stacks %.1f → %.1f MiB, goroutines %d → %d, RSS %.1f → %.1f MiB",
		name, len(conns), before.heap/(1<<20), after.heap/(1<<20), before.stack/(1<<20), after.stack/(1<<20),
		before.goroutines, after.goroutines, before.rss/(1<<20), after.rss/(1<<20))
	b.Logf("%s: per connection: heap+stack %.1f KB (heap %.1f, stack %.1f), RSS %.1f KB, goroutines %.2f",
		name, perConn/1024, (after.heap-before.heap)/n/1024, (after.stack-before.stack)/n/1024, (after.rss-before.rss)/n/1024,
		float64(after.goroutines-before.goroutines)/n)
	b.Logf("%s: per connection RSS by kind: anonymous %.1f KB, file %.1f KB, shared %.1f KB (RssAnon %.1f → %.1f MiB, RssFile %.1f → %.1f MiB, RssShmem %.1f → %.1f MiB)",
		name, (after.anon-before.anon)/n/1024, (after.file-before.file)/n/1024, (after.shmem-before.shmem)/n/1024,
		before.anon/(1<<20), after.anon/(1<<20), before.file/(1<<20), after.file/(1<<20), before.shmem/(1<<20), after.shmem/(1<<20))
	b.ReportMetric(perConn/1024, "KB/conn")
	b.ReportMetric((after.anon-before.anon)/n/1024, "RssAnon-KB/conn")
	b.ReportMetric((after.rss-before.rss)/n/1024, "RSS-KB/conn")

	// The latency is measured with the active chats' connections
	// only: the idle ones' periodic catch-ups (one read each per
	// 20 s) would measure the idle load, not the message path.
	for _, c := range conns[cfg.active:] {
		c.close()
	}
	files(b, name, data, "9,000 closed")
	settle(pid, 20*time.Second)
	files(b, name, data, "latency phase begins")
	stagesBefore := chatStages(b, s.url)
	cpuBefore, selfBefore, pgBefore := procCPU(pid), selfCPU(), postgresCPU(pgName)
	var profile chan []byte
	if cfg.profile != "" {
		profile = make(chan []byte, 1)
		go func() { profile <- cpuProfile(pprofAddr, cfg.seconds) }()
	}
	begin := time.Now()
	lat := chatLatency(b, s.url, agentJars, conns[:cfg.active], cfg.interval, time.Duration(cfg.seconds)*time.Second)
	wall := time.Since(begin).Seconds()
	files(b, name, data, "latency phase over")
	cpu, self, pg := procCPU(pid)-cpuBefore, selfCPU()-selfBefore, postgresCPU(pgName)-pgBefore
	stagesAfter := chatStages(b, s.url)
	b.Logf("%s: %d active chats, %d agents: %d messages, %d deliveries to agents, %d missing; latency p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms; send → ack p50 %.1f ms, p99 %.1f ms",
		name, cfg.active, cfg.agents, lat.sent, lat.n, lat.missing, ms(lat.p50), ms(lat.p95), ms(lat.p99), ms(lat.max), ms(lat.ack50), ms(lat.ack99))
	b.Logf("%s: stall (a second whose slowest ack took ≥ 1 s): %s; per second sent/slowest ack ms:%s", name, lat.stall(), lat.timeline())
	if lat.sent > 0 {
		b.Logf("%s: CPU in %.0f s: server %.1f s (%.2f ms per message, %.2f cores), benchmark client %.1f s, PostgreSQL %.1f s; load average %s",
			name, wall, cpu, cpu*1000/float64(lat.sent), cpu/wall, self, pg, loadAvg())
		b.ReportMetric(cpu*1000/float64(lat.sent), "server-CPU-ms/msg")
	}
	var stages []string
	for _, st := range stageNames {
		h := stagesAfter[st].minus(stagesBefore[st])
		if h.count == 0 {
			continue
		}
		stages = append(stages, fmt.Sprintf("%s mean %.2f ms, p50 ≤ %s, p99 ≤ %s", st, h.sum*1000/h.count, h.quantile(0.5), h.quantile(0.99)))
	}
	if len(stages) > 0 {
		b.Logf("%s: stages (server): %s", name, strings.Join(stages, "; "))
	}
	b.ReportMetric(ms(lat.p99), "p99-ms")
	if profile != nil {
		if p := <-profile; len(p) > 0 {
			f := filepath.Join(cfg.profile, strings.ReplaceAll(name, "/", "-")+".pprof")
			if err := os.WriteFile(f, p, 0o644); err == nil {
				b.Logf("%s: CPU profile of the latency phase in %s", name, f)
			}
		}
	}
}

func freeAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// signIn signs an agent in and returns the session's cookies.
func signIn(t testing.TB, base, email string) http.CookieJar {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {"bench-password-1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Request.URL.Path == "/login" {
		t.Fatalf("sign-in of %s failed", email)
	}
	return jar
}

// visitor is one widget: its loopback address and token.
type visitor struct {
	src    net.IP
	token  string
	ticket int64
}

// srcIP is the i-th visitor's address: ten visitors per address.
func srcIP(i int) net.IP { return net.IPv4(127, 1, byte(i/10/250), byte(i/10%250+1)) }

func clientFrom(ip net.IP) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 10 * time.Second}
	return &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2}}
}

// startVisitors starts n chats through /widget/start, 16 at a time.
func startVisitors(t testing.TB, base string, n int) []visitor {
	vs := make([]visitor, n)
	clients := map[string]*http.Client{}
	for i := range vs {
		vs[i].src = srcIP(i)
		if clients[vs[i].src.String()] == nil {
			clients[vs[i].src.String()] = clientFrom(vs[i].src)
		}
	}
	begin := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				body := fmt.Sprintf(`{"name":"Visitor %d","email":"visitor%d@bench.example","topic":"Where is order %d?","language":"en","page":"https://shop.example/cart"}`, i, i, i)
				resp, err := clients[vs[i].src.String()].Post(base+"/widget/start", "text/plain", strings.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				var out struct {
					Token        string
					Conversation struct {
						TicketID int64 `json:"ticket_id"`
					}
				}
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if resp.StatusCode != http.StatusCreated || err != nil {
					errs <- fmt.Errorf("start %d: %d %v", i, resp.StatusCode, err)
					return
				}
				vs[i].token, vs[i].ticket = out.Token, out.Conversation.TicketID
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d chats started in %.1f s", n, time.Since(begin).Seconds())
	return vs
}

// wsConn is one open widget WebSocket; acks carry the sequence numbers of
// the visitor's messages.
type wsConn struct {
	v    visitor
	c    *websocket.Conn
	acks chan ack
	done chan struct{}
}

type ack struct {
	clientID string
	seq      int64
	at       time.Time // when it was read
}

func (w *wsConn) close() { _ = w.c.Close(websocket.StatusNormalClosure, "") }

// connectVisitors opens each visitor's WebSocket and waits for its first
// state frame, 64 at a time.
func connectVisitors(t testing.TB, base string, vs []visitor) []*wsConn {
	wsURL := "ws" + strings.TrimPrefix(base, "http") + "/widget/ws"
	out := make([]*wsConn, len(vs))
	clients := map[string]*http.Client{}
	for _, v := range vs {
		if clients[v.src.String()] == nil {
			clients[v.src.String()] = clientFrom(v.src)
		}
	}
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
				if i >= len(vs) {
					return
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				c, _, err := websocket.Dial(ctx, wsURL, &websocket.DialOptions{HTTPClient: clients[vs[i].src.String()]})
				if err == nil {
					err = c.Write(ctx, websocket.MessageText, []byte(`{"type":"hello","token":"`+vs[i].token+`","after":0}`))
				}
				if err == nil {
					var b []byte
					if _, b, err = c.Read(ctx); err == nil && !strings.Contains(string(b), `"type":"state"`) {
						err = fmt.Errorf("first frame %s", b)
					}
				}
				cancel()
				if err != nil {
					errs <- fmt.Errorf("visitor %d: %w", i, err)
					return
				}
				w := &wsConn{v: vs[i], c: c, acks: make(chan ack, 16), done: make(chan struct{})}
				go w.readLoop()
				out[i] = w
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	t.Logf("%d WebSockets open in %.1f s", len(vs), time.Since(begin).Seconds())
	return out
}

// readLoop reads the server's frames: state updates (the periodic
// catch-up) are dropped, acks passed on.
func (w *wsConn) readLoop() {
	defer close(w.done)
	for {
		_, b, err := w.c.Read(context.Background())
		if err != nil {
			return
		}
		if !strings.Contains(string(b), `"type":"ack"`) {
			continue
		}
		var a struct {
			ClientID string `json:"client_id"`
			Message  struct{ Seq int64 }
		}
		if json.Unmarshal(b, &a) == nil {
			select {
			case w.acks <- ack{a.ClientID, a.Message.Seq, time.Now()}:
			default:
			}
		}
	}
}

type memFigures struct {
	heap, stack, rss float64 // bytes
	// rss split as /proc/PID/status counts it: anonymous memory (Go's heap
	// and stacks, SQLite's page caches), file pages mapped (the binary,
	// SQLite's mmap of the database), shared memory (SQLite's WAL index).
	anon, file, shmem float64
	goroutines        int
}

// serverMem reads the server's runtime.MemStats after a forced GC (heap in
// use, stacks in use), its goroutines and its resident memory.
func serverMem(t testing.TB, pprofAddr string, pid int) memFigures {
	var m memFigures
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/heap?gc=1&debug=1")
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(line, "# HeapInuse = "); ok {
			m.heap, _ = strconv.ParseFloat(v, 64)
		}
		if v, ok := strings.CutPrefix(line, "# Stack = "); ok {
			m.stack, _ = strconv.ParseFloat(strings.Fields(v)[0], 64)
		}
	}
	resp.Body.Close()
	resp, err = http.Get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	first, _ := bufio.NewReader(resp.Body).ReadString('\n')
	resp.Body.Close()
	m.goroutines, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(first, "goroutine profile: total ")))
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = kb * 1024
		case "RssAnon:":
			m.anon = kb * 1024
		case "RssFile:":
			m.file = kb * 1024
		case "RssShmem:":
			m.shmem = kb * 1024
		}
	}
	if m.heap == 0 || m.goroutines == 0 || m.rss == 0 {
		t.Fatalf("server memory figures missing: %+v", m)
	}
	return m
}

type latency struct {
	sent, n, missing int
	p50, p95, p99    time.Duration
	max              time.Duration
	ack50, ack99     time.Duration   // visitor's frame written → ack read
	perSec           []int           // messages sent in each second of the phase
	worstSec         []time.Duration // the slowest send → ack of each second
}

// stall describes the seconds of the phase whose slowest send → ack took
// a second or more ("no" when none did).
func (l latency) stall() string {
	var out []string
	for i, w := range l.worstSec {
		if w >= time.Second {
			out = append(out, fmt.Sprintf("s%d %.1f s", i, w.Seconds()))
		}
	}
	if len(out) == 0 {
		return "no"
	}
	return "yes: " + strings.Join(out, ", ")
}

// timeline lists per second the messages sent and the slowest ack (ms).
func (l latency) timeline() string {
	var b strings.Builder
	for i := range l.perSec {
		fmt.Fprintf(&b, " %d:%d/%.0f", i, l.perSec[i], ms(l.worstSec[i]))
	}
	return b.String()
}

type msgKey struct{ ticket, seq int64 }

// chatLatency has each active visitor send a message every interval
// (first after a random part of it) for d, while every agent's console
// event stream records when each message was announced.
func chatLatency(t testing.TB, base string, jars []http.CookieJar, conns []*wsConn, interval, d time.Duration) latency {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	arrived := map[msgKey][]time.Time{}
	ready := make(chan struct{}, len(jars))
	var streams sync.WaitGroup
	for _, jar := range jars {
		streams.Add(1)
		go func() {
			defer streams.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/chat/events", nil)
			resp, err := (&http.Client{Jar: jar}).Do(req)
			if err != nil {
				ready <- struct{}{}
				return
			}
			defer resp.Body.Close()
			ready <- struct{}{}
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				data, ok := strings.CutPrefix(sc.Text(), "data: ")
				if !ok {
					continue
				}
				now := time.Now()
				var e struct {
					TicketID int64    `json:"ticket_id"`
					Type     []string `json:"type"`
					Seq      int64    `json:"seq"`
				}
				if json.Unmarshal([]byte(data), &e) != nil || len(e.Type) == 0 || e.Type[0] != "message" {
					continue
				}
				mu.Lock()
				k := msgKey{e.TicketID, e.Seq}
				arrived[k] = append(arrived[k], now)
				mu.Unlock()
			}
		}()
	}
	for range jars {
		<-ready
	}
	time.Sleep(500 * time.Millisecond) // the streams are subscribed
	sentAt := map[msgKey]time.Time{}
	var acks []time.Duration
	var sendErrs atomic.Int64
	begin := time.Now()
	end := begin.Add(d)
	// Per second of the phase (by when the frame was sent): messages
	// sent, and the slowest send → ack, so a stall shows when it began.
	secs := int(d/time.Second) + 1
	perSec, worstSec := make([]int, secs), make([]time.Duration, secs)
	note := func(at time.Time, took time.Duration) {
		i := min(secs-1, int(at.Sub(begin)/time.Second))
		perSec[i]++
		worstSec[i] = max(worstSec[i], took)
	}
	var wg sync.WaitGroup
	for i, w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wait := time.Duration(int64(interval) * int64(i) / int64(len(conns)))
			for n := 0; ; n++ {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return
				}
				if time.Now().After(end) {
					return
				}
				wait = interval
				id := fmt.Sprintf("b-%d-%d", i, n)
				at := time.Now()
				wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
				err := w.c.Write(wctx, websocket.MessageText, []byte(`{"type":"send","client_id":"`+id+`","body":"Message `+id+`: is my parcel on its way?"}`))
				wcancel()
				if err != nil {
					sendErrs.Add(1)
					continue
				}
				select {
				case a := <-w.acks:
					mu.Lock()
					sentAt[msgKey{w.v.ticket, a.seq}] = at
					acks = append(acks, a.at.Sub(at))
					note(at, a.at.Sub(at))
					mu.Unlock()
				case <-time.After(10 * time.Second):
					sendErrs.Add(1)
					mu.Lock()
					note(at, 10*time.Second)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * time.Second) // the last announcements arrive
	cancel()
	streams.Wait()
	var ls []time.Duration
	out := latency{sent: len(sentAt), perSec: perSec, worstSec: worstSec}
	for k, at := range sentAt {
		got := arrived[k]
		out.missing += len(jars) - len(got)
		for _, a := range got {
			ls = append(ls, a.Sub(at))
		}
	}
	if e := sendErrs.Load(); e > 0 {
		t.Errorf("%d sends failed or were not acknowledged", e)
	}
	if len(ls) == 0 {
		t.Fatal("no message reached an agent")
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i] < ls[j] })
	q := func(p float64) time.Duration { return ls[min(len(ls)-1, int(p*float64(len(ls))))] }
	out.n, out.p50, out.p95, out.p99, out.max = len(ls), q(0.5), q(0.95), q(0.99), ls[len(ls)-1]
	if len(acks) > 0 {
		sort.Slice(acks, func(i, j int) bool { return acks[i] < acks[j] })
		out.ack50, out.ack99 = acks[len(acks)/2], acks[min(len(acks)-1, int(0.99*float64(len(acks))))]
	}
	return out
}

// stageNames are the server's message stages in path order (chat.Stages).
var stageNames = []string{"queue", "tx", "commit", "ticket_notice", "publish", "stream"}

// stageHist is one stage's histogram from /metrics.
type stageHist struct {
	le         []float64 // bucket bounds, seconds
	counts     []float64 // cumulative
	count, sum float64
}

func (h stageHist) minus(o stageHist) stageHist {
	out := stageHist{le: h.le, count: h.count - o.count, sum: h.sum - o.sum}
	for i := range h.counts {
		c := h.counts[i]
		if i < len(o.counts) {
			c -= o.counts[i]
		}
		out.counts = append(out.counts, c)
	}
	return out
}

// quantile names the bucket bound the quantile falls under.
func (h stageHist) quantile(q float64) string {
	for i, c := range h.counts {
		if c >= q*h.count {
			return fmt.Sprintf("%g ms", h.le[i]*1000)
		}
	}
	return "∞"
}

// chatStages reads the server's ombud_chat_message_stage_seconds
// histograms (none from a build without them).
func chatStages(t testing.TB, base string) map[string]stageHist {
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]stageHist{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		rest, ok := strings.CutPrefix(line, "ombud_chat_message_stage_seconds")
		if !ok {
			continue
		}
		i := strings.Index(rest, `stage="`)
		if i < 0 {
			continue
		}
		stage := rest[i+7:]
		stage = stage[:strings.IndexByte(stage, '"')]
		f := strings.Fields(rest)
		v, _ := strconv.ParseFloat(f[len(f)-1], 64)
		h := out[stage]
		switch {
		case strings.HasPrefix(rest, "_bucket"):
			j := strings.Index(rest, `le="`)
			le := rest[j+4:]
			le = le[:strings.IndexByte(le, '"')]
			if le == "+Inf" {
				break
			}
			b, _ := strconv.ParseFloat(le, 64)
			h.le, h.counts = append(h.le, b), append(h.counts, v)
		case strings.HasPrefix(rest, "_sum"):
			h.sum = v
		case strings.HasPrefix(rest, "_count"):
			h.count = v
		}
		out[stage] = h
	}
	return out
}

// procCPU is a process's user and system CPU time so far, in seconds.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100 // clock ticks (USER_HZ) to seconds
}

// selfCPU is the benchmark process's own CPU time so far, in seconds.
func selfCPU() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// postgresCPU sums the CPU time of the PostgreSQL backends serving the
// database db (their command lines name it); 0 without one.
func postgresCPU(db string) float64 {
	if db == "" {
		return 0
	}
	ents, _ := os.ReadDir("/proc")
	total := 0.0
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err != nil || !strings.HasPrefix(string(cmd), "postgres: ") || !strings.Contains(string(cmd), " "+db+" ") {
			continue
		}
		total += procCPU(pid)
	}
	return total
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

// cpuProfile reads the server's CPU profile over seconds.
func cpuProfile(pprofAddr string, seconds int) []byte {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, seconds))
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	var buf strings.Builder
	if _, err := io.Copy(&buf, resp.Body); err != nil {
		return nil
	}
	return []byte(buf.String())
}

// files logs the sizes of SQLite's database file and WAL (on SQLite): a
// WAL far larger than what was written since the last checkpoint means
// the checkpoints fell behind.
func files(t testing.TB, name, data, when string) {
	db, err1 := os.Stat(filepath.Join(data, "ombud.db"))
	wal, err2 := os.Stat(filepath.Join(data, "ombud.db-wal"))
	if err1 != nil || err2 != nil {
		return
	}
	t.Logf("%s: %s: database file %.1f MiB, WAL %.1f MiB", name, when, float64(db.Size())/(1<<20), float64(wal.Size())/(1<<20))
}
