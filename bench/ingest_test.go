package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/channel/email/message"
	"github.com/ombud/ombud/internal/dbtest"
)

// mailSample is a realistic small support message: multipart/alternative
// with quoted-printable text, an HTML part and a reply-style subject.
func mailSample(i int64, r *rand.Rand) []byte {
	body := sentence(r, 40)
	return []byte(fmt.Sprintf("From: Customer %d <c%d@customers.example>\r\n"+
		"To: Support <support@bench.test>\r\nSubject: =?UTF-8?Q?Bestilling_%d_=C3=B8delagt?=\r\n"+
		"Message-ID: <bench-%d-%d@customers.example>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/alternative; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; charset=UTF-8\r\n"+
		"Content-Transfer-Encoding: quoted-printable\r\n\r\nHei,\r\n\r\n%s\r\n\r\nHilsen\r\n--b\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n"+
		"<p>Hei,</p><p>%s</p><p>Hilsen</p>\r\n--b--\r\n", i, i, i, i, time.Now().UnixNano(), body, body))
}

// BenchmarkIngest sends mail through the real SMTP listener of a real ombud
// process: each message is acknowledged only once its ticket is committed,
// so messages/s is end to end. It also reports parse-only throughput.
//
//	go test ./bench/ -run '^$' -bench Ingest -benchtime 1x
//
// Settings: OMBUD_BENCH_SECONDS (default 10), OMBUD_BENCH_SMTP_CLIENTS
// (default 16), OMBUD_BENCH_ENGINES (default "sqlite,postgres").
func BenchmarkIngest(b *testing.B) {
	seconds := envInt("OMBUD_BENCH_SECONDS", 10)
	clients := envInt("OMBUD_BENCH_SMTP_CLIENTS", 16)
	engines := os.Getenv("OMBUD_BENCH_ENGINES")
	if engines == "" {
		engines = "sqlite,postgres"
	}
	b.Run("parse", func(b *testing.B) {
		r := rand.New(rand.NewPCG(3, 4))
		msgs := make([][]byte, 256)
		for i := range msgs {
			msgs[i] = mailSample(int64(i), r)
		}
		begin := time.Now()
		n := 0
		for time.Since(begin) < time.Duration(seconds)*time.Second/2 {
			if _, err := message.Parse(msgs[n%len(msgs)]); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rate := float64(n) / time.Since(begin).Seconds()
		b.ReportMetric(rate, "msgs/s")
		fmt.Printf("ingest parse-only: %.0f messages/s (one goroutine)\n", rate)
	})
	dir := b.TempDir()
	bin := filepath.Join(dir, "ombud")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/ombud").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	for _, engine := range strings.Split(engines, ",") {
		b.Run(engine, func(b *testing.B) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				b.Fatal(err)
			}
			smtpAddr := l.Addr().String()
			l.Close()
			// No DNS for sender checks: a benchmark never leaves loopback.
			env := []string{"OMBUD_DATA=" + filepath.Join(b.TempDir(), "data"), "OMBUD_SMTP_ADDR=" + smtpAddr, "OMBUD_MAIL_DNS=off"}
			if engine == "postgres" {
				env = append(env, "OMBUD_DATABASE_URL="+dbtest.NewPostgresDatabase(b))
			}
			s := start(b, bin, b.TempDir(), env, 0)
			mb, _ := json.Marshal(map[string]any{"address": "support@bench.test", "name": "Support"})
			if err := request(http.DefaultClient, "POST", s.url+"/api/v1/mailboxes", s.token, mb, 201); err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 100; i++ { // the listener starts just after the HTTP server
				if c, err := net.Dial("tcp", smtpAddr); err == nil {
					c.Close()
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			res := drive("smtp ingest", clients, time.Duration(seconds)*time.Second, func(r *rand.Rand, i int64) error {
				return smtp.SendMail(smtpAddr, nil, fmt.Sprintf("c%d@customers.example", i), []string{"support@bench.test"}, mailSample(i, r))
			})
			fmt.Printf("%-8s %-12s %8.0f msgs/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  errors %d  (%d clients, peak RSS %.0f MiB)\n",
				engine, res.op, res.rate, ms(res.p50), ms(res.p95), ms(res.p99), res.errs, clients, peakRSS(s.cmd.Process.Pid))
			b.ReportMetric(res.rate, "msgs/s")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
