package bench

import (
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// bareServer starts bench/bare (OMBUD_BENCH_BARE=1) answering the ticket
// get and the list page with the bytes s answered, as a third variant
// named "bare": the cost of HTTP alone on this machine, beside Ombud's.
func bareServer(b *testing.B, c *http.Client, s *server) *variant {
	b.Helper()
	dir := b.TempDir()
	for name, path := range map[string]string{"ticket.json": "/api/v1/tickets/1", "list.json": "/api/v1/tickets?status=open,pending&limit=50"} {
		req, _ := http.NewRequest("GET", s.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("bare: %s: %d %v", path, resp.StatusCode, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), body, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "bare")
	if out, err := exec.Command("go", "build", "-o", bin, "./bare").CombinedOutput(); err != nil {
		b.Fatalf("build bare: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "OMBUD_BARE_DIR="+dir, "OMBUD_BARE_TOKEN="+s.token, "OMBUD_BARE_ADDR="+addr)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	bs := &server{cmd: cmd, url: "http://" + addr, token: s.token}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(bs.url + "/readyz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("bare server did not start")
		}
	}
	return &variant{name: "bare", s: bs}
}
