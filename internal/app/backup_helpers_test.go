package app_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// loadedBackup is what a backup-under-load test found: the archive, the
// admin's token, the tickets whose create was acknowledged before the
// backup started, and an attachment uploaded before it.
type loadedBackup struct {
	archive string
	tok     string
	before  []int64
	all     int
	attID   int64
	file    []byte
}

// backupUnderLoad creates an admin, serves env, uploads an attachment,
// has four writers create tickets through the API and runs ombud backup
// (with extra arguments) while they write.
func backupUnderLoad(t *testing.T, env map[string]string, extra ...string) loadedBackup {
	t.Helper()
	if code, _, er := run(t, env, "user", "create", "--email", "a@ombud.test", "--name", "A", "--role", "admin", "--password", "long-enough-1"); code != 0 {
		t.Fatal(er)
	}
	_, tok, _ := run(t, env, "token", "create", "--email", "a@ombud.test")
	tok = strings.TrimSpace(tok)
	s := serve(t, env)
	file := []byte("the invoice, as a file: " + strings.Repeat("x", 5000))
	attID := upload(t, s.url, tok, "invoice.txt", file)

	type ack struct {
		id int64
		at time.Time
	}
	var mu sync.Mutex
	var acks []ack
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				code, body := api(t, "POST", s.url+"/api/v1/tickets", tok, map[string]any{
					"subject": fmt.Sprintf("load %d-%d", w, i), "description": "under backup",
					"requester": map[string]string{"email": fmt.Sprintf("c%d-%d@x.example", w, i)},
				})
				if code != 201 {
					t.Errorf("create: %d %v", code, body)
					return
				}
				at := time.Now() // the client has the acknowledgement from here on
				mu.Lock()
				acks = append(acks, ack{int64(body["id"].(float64)), at})
				mu.Unlock()
			}
		}()
	}
	// Enough creates acknowledged before the backup starts: a fixed pause
	// saw only 4 of them under -race on a loaded machine.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= 20 || time.Now().After(deadline) {
			break
		}
	}
	archive := filepath.Join(t.TempDir(), "ombud.tar.gz")
	started := time.Now()
	code, out, er := run(t, env, append([]string{"backup", "--out", archive}, extra...)...)
	time.Sleep(100 * time.Millisecond) // writes go on after the backup too
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s\n%s", code, out, er)
	}
	if !strings.Contains(out, "backup written to") || !strings.Contains(out, "includes the secret key") {
		t.Fatalf("backup output %q", out)
	}
	lb := loadedBackup{archive: archive, tok: tok, all: len(acks), attID: attID, file: file}
	for _, a := range acks {
		if a.at.Before(started) {
			lb.before = append(lb.before, a.id)
		}
	}
	if len(lb.before) < 10 || len(acks) == len(lb.before) {
		t.Fatalf("want tickets created before and during the backup: %d before, %d in all", len(lb.before), len(acks))
	}
	t.Logf("%d tickets acknowledged before the backup, %d in all", len(lb.before), len(acks))
	return lb
}

// checkRestored serves a restored installation and finds every ticket
// acknowledged before the backup and the attachment, byte for byte.
func checkRestored(t *testing.T, env map[string]string, lb loadedBackup) {
	t.Helper()
	s := serve(t, env)
	for _, id := range lb.before {
		if code, body := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s.url, id), lb.tok, nil); code != 200 {
			t.Fatalf("ticket %d acknowledged before the backup is missing after restore: %d %v", id, code, body)
		}
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/attachments/%d", s.url, lb.attID), nil)
	req.Header.Set("Authorization", "Bearer "+lb.tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, lb.file) {
		t.Fatalf("attachment after restore: %d, %d bytes", resp.StatusCode, len(got))
	}
}
