// Package scale_test runs Ombud as operators scale it out: three `ombud
// serve` processes on one PostgreSQL database and one shared data directory,
// behind a round-robin reverse proxy (docs/scaling.md).
//
// The processes are this test binary run again with OMBUD_SCALE_CHILD=1: its
// TestMain then does exactly what cmd/ombud's main does (app.Main with a
// context that SIGTERM cancels), so no separate build is needed and each
// instance is a real process with its own memory, sampled from /proc.
package scale_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "time/tzdata" // as cmd/ombud

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

const childEnv = "OMBUD_SCALE_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		// One instance: what cmd/ombud/main.go does.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := app.Main(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	dbtest.Main(m)
}

// Headers the test's clients send to the proxy (it strips them): pin a
// request to one instance, and the address the client "is" (the proxy puts
// it in X-Forwarded-For, as a proxy in front of real clients does).
const (
	pinHeader    = "X-Test-Instance"
	clientHeader = "X-Test-Client"
)

const password = "scale-test-password-1"

// lockedBuffer collects an instance's log output.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type instance struct {
	name string
	url  string // http://127.0.0.1:port
	smtp string // inbound SMTP address, "" for none
	cmd  *exec.Cmd
	logs *lockedBuffer
	exit chan error
}

// rssKiB reads the instance's resident set size from /proc.
func (in *instance) rssKiB() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", in.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			return strconv.ParseInt(f[1], 10, 64)
		}
	}
	return 0, errors.New("no VmRSS line")
}

// cluster is the database, the instances and the proxy in front of them.
type cluster struct {
	t       *testing.T
	dbURL   string
	dataDir string
	key     string
	env     map[string]string // for in-process CLI commands
	inst    []*instance
	proxy   *httptest.Server
	db      *db.DB       // the test's own connection, for counting
	client  *http.Client // for the soak's many requests: connections kept
	start   time.Time

	next        atomic.Uint64
	proxyErrors atomic.Int64
	hits        [3]atomic.Int64
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// cli runs an ombud command in this process against the cluster's database.
func (c *cluster) cli(args ...string) string {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := app.Main(context.Background(), args, func(k string) string { return c.env[k] }, strings.NewReader(""), &out, &errb)
	if code != 0 {
		c.t.Fatalf("ombud %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

// startCluster migrates a new database, starts three instances (SMTP on the
// first two) and the proxy.
func startCluster(t *testing.T) *cluster {
	t.Helper()
	var k [32]byte
	_, _ = rand.Read(k[:])
	c := &cluster{t: t, dbURL: dbtest.NewPostgresDatabase(t), dataDir: t.TempDir(), key: base64.StdEncoding.EncodeToString(k[:])}
	c.env = map[string]string{"OMBUD_DATABASE_URL": c.dbURL, "OMBUD_DATA": c.dataDir, "OMBUD_SECRET_KEY": c.key, "OMBUD_LOG_LEVEL": "warn"}
	c.cli("migrate")
	d, err := db.Open(context.Background(), db.Options{URL: c.dbURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	c.db = d

	// The proxy first: the instances' base URL is its address.
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			i := c.pick(pr.In)
			c.hits[i].Add(1)
			u, _ := url.Parse(c.inst[i].url)
			pr.SetURL(u)
			pr.Out.Host = pr.In.Host // as nginx's proxy_set_header Host $host
			pr.SetXForwarded()
			if a := pr.In.Header.Get(clientHeader); a != "" {
				pr.Out.Header.Set("X-Forwarded-For", a)
			}
			pr.Out.Header.Del(pinHeader)
			pr.Out.Header.Del(clientHeader)
		},
		FlushInterval: -1, // event streams pass through at once
		Transport:     &http.Transport{MaxIdleConnsPerHost: 32},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() == nil {
				c.proxyErrors.Add(1)
				t.Logf("proxy: %s %s: %v", r.Method, r.URL.Path, err)
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	c.proxy = httptest.NewServer(rp)
	c.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}

	for i := range 3 {
		in := &instance{name: string(rune('A' + i)), logs: &lockedBuffer{}, exit: make(chan error, 1)}
		addr := freeAddr(t)
		in.url = "http://" + addr
		args := []string{"serve", "--addr", addr, "--data", c.dataDir, "--database-url", c.dbURL,
			"--trusted-proxies", "127.0.0.1", "--base-url", c.proxy.URL, "--mail-dns", "off",
			"--log-level", "warn", "--access-log", "off", "--shutdown-wait", "10s"}
		if i < 2 {
			in.smtp = freeAddr(t)
			args = append(args, "--smtp-addr", in.smtp)
		}
		in.cmd = exec.Command(os.Args[0], args...)
		in.cmd.Env = append(os.Environ(), childEnv+"=1", "OMBUD_SECRET_KEY="+c.key)
		in.cmd.Stdout = io.Discard
		in.cmd.Stderr = in.logs
		// The instance dies with the test binary, whatever happens.
		in.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := in.cmd.Start(); err != nil {
			t.Fatalf("start instance %s: %v", in.name, err)
		}
		go func() { in.exit <- in.cmd.Wait() }()
		c.inst = append(c.inst, in)
	}
	t.Cleanup(func() {
		for _, in := range c.inst {
			_ = in.cmd.Process.Kill() // a no-op after stop
		}
		c.proxy.CloseClientConnections()
		c.proxy.Close()
	})
	for _, in := range c.inst {
		deadline := time.Now().Add(60 * time.Second)
		for {
			resp, err := http.Get(in.url + "/readyz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			select {
			case err := <-in.exit:
				t.Fatalf("instance %s exited: %v\n%s", in.name, err, in.logs.String())
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %s did not start: %v\n%s", in.name, err, in.logs.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	c.start = time.Now()
	return c
}

// pick chooses the instance for a request: the pinned one, else the next in
// turn, so consecutive requests of one client land on different instances.
func (c *cluster) pick(r *http.Request) int {
	if v := r.Header.Get(pinHeader); v != "" {
		if i, err := strconv.Atoi(v); err == nil && i >= 0 && i < len(c.inst) {
			return i
		}
	}
	return int((c.next.Add(1) - 1) % uint64(len(c.inst)))
}

// stop ends every instance with SIGTERM, as systemd or Kubernetes does, and
// reports each one's exit.
func (c *cluster) stop() {
	c.t.Helper()
	for _, in := range c.inst {
		_ = in.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, in := range c.inst {
		select {
		case err := <-in.exit:
			if err != nil {
				c.t.Errorf("instance %s stopped with %v", in.name, err)
			}
		case <-time.After(30 * time.Second):
			c.t.Errorf("instance %s did not stop within 30 s", in.name)
		}
	}
}

// count runs a counting query on the shared database.
func (c *cluster) count(q string, args ...any) int64 {
	c.t.Helper()
	var n int64
	if err := c.db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", q, err)
	}
	return n
}

// call is one HTTP request through the proxy; pin < 0 lets the proxy choose.
type call struct {
	method, path string
	pin          int
	client       string // the client's address, "" for 127.0.0.1
	token        string // API bearer token
	json         any
	form         url.Values
}

// do sends a request through the proxy with the given HTTP client and
// returns status and body; it is safe from any goroutine.
func (c *cluster) do(ctx context.Context, hc *http.Client, k call) (int, []byte, error) {
	var body io.Reader
	ctype := ""
	switch {
	case k.json != nil:
		b, err := json.Marshal(k.json)
		if err != nil {
			return 0, nil, err
		}
		body, ctype = bytes.NewReader(b), "application/json"
	case k.form != nil:
		body, ctype = strings.NewReader(k.form.Encode()), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, k.method, c.proxy.URL+k.path, body)
	if err != nil {
		return 0, nil, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if k.token != "" {
		req.Header.Set("Authorization", "Bearer "+k.token)
	}
	if k.pin >= 0 {
		req.Header.Set(pinHeader, strconv.Itoa(k.pin))
	}
	if k.client != "" {
		req.Header.Set(clientHeader, k.client)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

var noFollow = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// api calls the JSON API and decodes the answer; any failure to get an
// answer is the test's.
func (c *cluster) api(method, path, token string, pin int, in any) (int, map[string]any) {
	c.t.Helper()
	st, raw, err := c.do(context.Background(), http.DefaultClient, call{method: method, path: path, pin: pin, token: token, json: in})
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	out := map[string]any{}
	_ = json.Unmarshal(raw, &out)
	return st, out
}

// session is a browser: a cookie jar and the CSRF token of its pages.
type session struct {
	c      *cluster
	hc     *http.Client
	csrf   string
	client string
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn posts the sign-in form through the proxy; status 303 when signed in.
func (c *cluster) signIn(email, pass, client string) (*session, int, error) {
	jar, _ := cookiejar.New(nil)
	s := &session{c: c, hc: &http.Client{Jar: jar, CheckRedirect: noFollow}, client: client}
	st, _, err := s.do(context.Background(), "POST", "/login", -1, url.Values{"email": {email}, "password": {pass}, "next": {"/tickets"}})
	if err != nil || st != http.StatusSeeOther {
		return s, st, err
	}
	st, body, err := s.do(context.Background(), "GET", "/tickets", -1, nil)
	if err != nil {
		return s, st, err
	}
	m := csrfField.FindSubmatch(body)
	if st != 200 || m == nil {
		return s, st, fmt.Errorf("ticket list after sign-in: status %d, no CSRF token", st)
	}
	s.csrf = string(m[1])
	return s, http.StatusSeeOther, nil
}

func (c *cluster) mustSignIn(email string) *session {
	c.t.Helper()
	s, st, err := c.signIn(email, password, "")
	if err != nil || st != http.StatusSeeOther {
		c.t.Fatalf("sign in as %s: %d %v", email, st, err)
	}
	return s
}

// do sends a GET, or a form POST with the CSRF token, through the proxy.
func (s *session) do(ctx context.Context, method, path string, pin int, form url.Values) (int, []byte, error) {
	k := call{method: method, path: path, pin: pin, client: s.client}
	if method == "POST" {
		f := url.Values{}
		for key, v := range form {
			f[key] = v
		}
		if s.csrf != "" {
			f.Set("csrf_token", s.csrf)
		}
		k.form = f
	}
	return s.c.do(ctx, s.hc, k)
}

// sseEvent is one Server-Sent Event.
type sseEvent struct{ name, data string }

// stream is an open event stream.
type stream struct {
	events chan sseEvent
	cancel context.CancelFunc
	ended  chan error // receives once the stream ends: nil at EOF
}

// stream opens GET path as an event stream through the proxy, pinned.
func (s *session) stream(path string, pin int) (*stream, error) {
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.c.proxy.URL+path, nil)
	req.Header.Set(pinHeader, strconv.Itoa(pin))
	req.Header.Set("Accept", "text/event-stream")
	resp, err := s.hc.Do(req)
	if err != nil {
		cancel()
		return nil, err
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("%s: status %d, type %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	st := &stream{events: make(chan sseEvent, 1024), cancel: cancel, ended: make(chan error, 1)}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					select {
					case st.events <- ev:
					default: // the test stopped reading this stream
					}
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
		st.ended <- sc.Err()
	}()
	return st, nil
}

// wait reads events until one matches, or fails the test after timeout.
func (st *stream) wait(t *testing.T, what string, timeout time.Duration, match func(sseEvent) bool) sseEvent {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case e := <-st.events:
			if match(e) {
				return e
			}
		case err := <-st.ended:
			t.Fatalf("%s: the stream ended (%v)", what, err)
		case <-deadline:
			t.Fatalf("%s: no such event within %v", what, timeout)
		}
	}
}

// viewerNames decodes a "viewers" event as "Name:state" strings.
func viewerNames(e sseEvent) []string {
	var vs []struct{ Name, State string }
	_ = json.Unmarshal([]byte(e.data), &vs)
	out := []string{}
	for _, v := range vs {
		out = append(out, v.Name+":"+v.State)
	}
	return out
}
