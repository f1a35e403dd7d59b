package app_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestBackupUnderLoad takes a backup while writers create tickets through
// the API, restores it into a new data directory, serves it, and finds
// every ticket whose create was acknowledged before the backup started,
// the attachment uploaded before it, and a database that passes
// integrity_check.
func TestBackupUnderLoad(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
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
	time.Sleep(400 * time.Millisecond)
	archive := filepath.Join(t.TempDir(), "ombud.tar.gz")
	started := time.Now()
	code, out, er := run(t, env, "backup", "--out", archive)
	time.Sleep(100 * time.Millisecond) // writes go on after the backup too
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: exit %d\n%s\n%s", code, out, er)
	}
	if !strings.Contains(out, "backup written to") || !strings.Contains(out, "includes the secret key") {
		t.Fatalf("backup output %q", out)
	}
	var before []int64
	for _, a := range acks {
		if a.at.Before(started) {
			before = append(before, a.id)
		}
	}
	if len(before) < 10 || len(acks) == len(before) {
		t.Fatalf("want tickets created before and during the backup: %d before, %d in all", len(before), len(acks))
	}

	restored := filepath.Join(t.TempDir(), "restored")
	env2 := map[string]string{"OMBUD_DATA": restored, "OMBUD_LOG_LEVEL": "warn"}
	if code, out, er := run(t, env2, "restore", "--in", archive); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, er)
	}
	integrity(t, filepath.Join(restored, "ombud.db"))
	s2 := serve(t, env2)
	for _, id := range before {
		if code, body := api(t, "GET", fmt.Sprintf("%s/api/v1/tickets/%d", s2.url, id), tok, nil); code != 200 {
			t.Fatalf("ticket %d acknowledged before the backup is missing after restore: %d %v", id, code, body)
		}
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/attachments/%d", s2.url, attID), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Equal(got, file) {
		t.Fatalf("attachment after restore: %d, %d bytes", resp.StatusCode, len(got))
	}
	t.Logf("%d tickets acknowledged before the backup, %d in all", len(before), len(acks))

	t.Run("refusals", func(t *testing.T) {
		tampered := rewriteArchive(t, archive, func(name string, b []byte) ([]byte, bool) {
			if strings.HasPrefix(name, "blobs/") {
				b = append([]byte(nil), b...)
				b[0] ^= 1
			}
			return b, true
		})
		noManifest := rewriteArchive(t, archive, func(name string, b []byte) ([]byte, bool) { return b, name != "manifest.json" })
		foreign := rewriteArchive(t, archive, func(name string, b []byte) ([]byte, bool) {
			if name == "secret.key" {
				return b, false
			}
			return b, true
		})
		tests := []struct {
			name string
			args []string
			data string
			er   string
		}{
			{"into a non-empty directory", []string{"restore", "--in", archive}, restored, "not empty"},
			{"a damaged file", []string{"restore", "--in", tampered}, "", "damaged"},
			{"no manifest", []string{"restore", "--in", noManifest}, "", "no manifest"},
			{"a file missing from the archive", []string{"restore", "--in", foreign}, "", "not in the archive"},
			{"not an archive", []string{"restore", "--in", filepath.Join(restored, "secret.key")}, "", "not a backup archive"},
			{"over an existing file", []string{"backup", "--out", archive}, env["OMBUD_DATA"], "already exists"},
			{"a directory without a database", []string{"backup", "--out", archive + ".2"}, "", "no database"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				dir := tt.data
				if dir == "" {
					dir = filepath.Join(t.TempDir(), "new")
				}
				code, _, er := run(t, map[string]string{"OMBUD_DATA": dir, "OMBUD_LOG_LEVEL": "warn"}, tt.args...)
				if code == 0 || !strings.Contains(er, tt.er) {
					t.Fatalf("exit %d, stderr %q (want %q)", code, er, tt.er)
				}
				if tt.data == "" {
					if entries, _ := os.ReadDir(dir); len(entries) > 0 {
						t.Fatalf("a refused restore left %d entries in %s", len(entries), dir)
					}
				}
			})
		}
	})
}

// TestBackupPostgres: on PostgreSQL the archive holds the attachment store
// and the key, the command says pg_dump is the tool for the database, and
// such an archive is not restored where SQLite is configured.
func TestBackupPostgres(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn", "OMBUD_DATABASE_URL": dbtest.NewPostgresDatabase(t)}
	if code, _, er := run(t, env, "migrate"); code != 0 {
		t.Fatal(er)
	}
	archive := filepath.Join(t.TempDir(), "pg.tar.gz")
	code, out, er := run(t, env, "backup", "--out", archive)
	if code != 0 || !strings.Contains(er, "pg_dump") || !strings.Contains(out, "engine postgres") {
		t.Fatalf("exit %d\n%s\n%s", code, out, er)
	}
	names := map[string]bool{}
	rewriteArchive(t, archive, func(name string, b []byte) ([]byte, bool) { names[name] = true; return b, true })
	if names["ombud.db"] || !names["manifest.json"] {
		t.Fatalf("entries %v", names)
	}
	if code, _, er := run(t, map[string]string{"OMBUD_DATA": filepath.Join(t.TempDir(), "x")}, "restore", "--in", archive); code == 0 || !strings.Contains(er, "pg_restore") {
		t.Fatalf("restore of a PostgreSQL archive into SQLite: exit %d %q", code, er)
	}
	if code, out, er := run(t, map[string]string{"OMBUD_DATA": filepath.Join(t.TempDir(), "y"), "OMBUD_DATABASE_URL": env["OMBUD_DATABASE_URL"]}, "restore", "--in", archive); code != 0 || !strings.Contains(out, "pg_restore") {
		t.Fatalf("restore of a PostgreSQL archive: exit %d\n%s\n%s", code, out, er)
	}
}

func upload(t *testing.T, base, tok, name string, body []byte) int64 {
	t.Helper()
	req, _ := http.NewRequest("POST", base+"/api/v1/attachments?filename="+name, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var att map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&att)
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %v", resp.StatusCode, att)
	}
	return int64(att["id"].(float64))
}

func integrity(t *testing.T, path string) {
	t.Helper()
	c, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var res string
	if err := c.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
}

// rewriteArchive copies a backup archive through edit (which may change an
// entry or drop it) into a new file.
func rewriteArchive(t *testing.T, path string, edit func(name string, b []byte) ([]byte, bool)) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := filepath.Join(t.TempDir(), "edited.tar.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		b, keep := edit(h.Name, b)
		if !keep {
			continue
		}
		h.Size = int64(len(b))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	tw.Close()
	zw.Close()
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}
