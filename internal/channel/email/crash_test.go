package email_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// buildOmbud compiles the real binary once per test run.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func ombudBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ombud-bin-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "ombud")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, "github.com/ombud/ombud/cmd/ombud").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
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

type ombudProc struct {
	cmd      *exec.Cmd
	httpAddr string
	smtpAddr string
	out      *bytes.Buffer
}

func runOmbud(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("ombud %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func startOmbud(t *testing.T, bin string, dbArgs []string) *ombudProc {
	t.Helper()
	p := &ombudProc{httpAddr: freeAddr(t), smtpAddr: freeAddr(t), out: &bytes.Buffer{}}
	// --mail-dns off: the sender checks ask no name server (a test never
	// leaves loopback); the senders here are customers, unverified is fine.
	args := append([]string{"serve", "--addr", p.httpAddr, "--smtp-addr", p.smtpAddr, "--mail-dns", "off"}, dbArgs...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.cmd.Process.Kill(); _, _ = p.cmd.Process.Wait() })
	// Both listeners: the SMTP one, and the HTTP one answering ready
	// (the first API request once met a reset under a loaded CI run).
	waitFor(t, "ombud to listen", 30*time.Second, func() bool {
		c, err := net.Dial("tcp", p.smtpAddr)
		if err != nil {
			return false
		}
		c.Close()
		resp, err := http.Get("http://" + p.httpAddr + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// TestCrashDuringIngest kills the real ombud process with SIGKILL while mail
// pours in, restarts it, and has every sender retry: every message that was
// acknowledged is stored, and no message is imported twice.
func TestCrashDuringIngest(t *testing.T) {
	bin := ombudBinary(t)
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			dataDir := t.TempDir()
			dbArgs := []string{"--data", dataDir}
			if engine == db.Postgres {
				dbArgs = append(dbArgs, "--database-url", dbtest.NewPostgresDatabase(t))
			}
			runOmbud(t, bin, append([]string{"user", "create", "--email", "admin@crash.test", "--name", "Admin", "--role", "admin"}, dbArgs...)...)
			token := runOmbud(t, bin, append([]string{"token", "create", "--email", "admin@crash.test"}, dbArgs...)...)

			p := startOmbud(t, bin, dbArgs)
			body, _ := json.Marshal(map[string]any{"address": "support@crash.test", "name": "Support"})
			req, _ := http.NewRequest("POST", "http://"+p.httpAddr+"/api/v1/mailboxes", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 201 {
				// The server's own output says why (it was seen once
				// resetting this request under a loaded CI run); read once
				// the process and its output's copying have ended.
				_ = p.cmd.Process.Kill()
				_ = p.cmd.Wait()
				t.Fatalf("create mailbox: %v %v\nombud's output:\n%s", err, resp, p.out)
			}
			resp.Body.Close()

			const total = 200
			msg := func(i int) []byte {
				return []byte(fmt.Sprintf("From: Sender %d <sender%d@example.org>\r\nTo: support@crash.test\r\nSubject: Crash test %d\r\nMessage-ID: <crash-%d@example.org>\r\n\r\nMessage %d.\r\n", i, i, i, i, i))
			}
			send := func(addr string, i int) error {
				return smtp.SendMail(addr, nil, fmt.Sprintf("sender%d@example.org", i), []string{"support@crash.test"}, msg(i))
			}
			var acked sync.Map
			var nAcked atomic.Int64
			next := atomic.Int64{}
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1))
						if i > total {
							return
						}
						if err := send(p.smtpAddr, i); err == nil {
							acked.Store(i, true)
							nAcked.Add(1)
						}
					}
				}()
			}
			waitFor(t, "some mail to be acknowledged", 60*time.Second, func() bool { return nAcked.Load() >= total/4 })
			if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			_, _ = p.cmd.Process.Wait()
			wg.Wait()
			t.Logf("%d of %d messages acknowledged before the kill", nAcked.Load(), total)

			// Every sender retries, including those whose 250 was lost.
			p2 := startOmbud(t, bin, dbArgs)
			for i := 1; i <= total; i++ {
				if err := send(p2.smtpAddr, i); err != nil {
					t.Fatalf("retry %d after restart: %v", i, err)
				}
			}
			if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			_, _ = p2.cmd.Process.Wait()

			opts := db.Options{DataDir: dataDir}
			if engine == db.Postgres {
				opts = db.Options{URL: dbArgs[3]}
			}
			d, err := db.Open(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var rows, distinct, tickets int
			if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT message_id) FROM inbound_messages`).Scan(&rows, &distinct); err != nil {
				t.Fatal(err)
			}
			if err := d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM tickets`).Scan(&tickets); err != nil {
				t.Fatal(err)
			}
			if rows != total || distinct != total || tickets != total {
				t.Fatalf("after the crash and retries: %d inbound rows, %d distinct, %d tickets; want %d of each", rows, distinct, tickets, total)
			}
			lost := 0
			acked.Range(func(k, _ any) bool {
				var n int
				_ = d.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM inbound_messages WHERE message_id = ?`, fmt.Sprintf("crash-%d@example.org", k.(int))).Scan(&n)
				if n != 1 {
					lost++
				}
				return true
			})
			if lost > 0 {
				t.Fatalf("%d acknowledged messages are missing", lost)
			}
		})
	}
}
