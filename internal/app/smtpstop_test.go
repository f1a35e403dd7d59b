package app_test

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app"
)

// TestStopWithIdleSMTPSession: a client that opened an SMTP session and
// sends nothing does not hold the stop: the session gets 421 at once and
// the process exits 0, well within the shutdown wait.
func TestStopWithIdleSMTPSession(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
	addr, smtpAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() {
		var out bytes.Buffer
		done <- app.Main(ctx, []string{"serve", "--addr", addr, "--smtp-addr", smtpAddr, "--shutdown-wait", "8s"},
			func(k string) string { return env[k] }, strings.NewReader(""), &out, &errb)
	}()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if i > 2400 { // 60 s: a fresh database migrates first, slow under -race and load
			t.Fatalf("server did not start: %v", err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	nc, err := net.Dial("tcp", smtpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	c := textproto.NewConn(nc)
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	if err := c.PrintfLine("EHLO idle.test"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatalf("EHLO: %v", err)
	}

	start := time.Now()
	cancel() // what SIGTERM does in cmd/ombud
	if code, msg, _ := c.ReadResponse(0); code != 421 {
		t.Errorf("idle session got %d %s on stop, want 421", code, msg)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit status %d, want 0; stderr: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the process did not stop")
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("stopping took %v with only an idle SMTP session open", d)
	}
}
