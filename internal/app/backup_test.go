package app_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestBackupUnderLoad takes a backup while writers create tickets through
// the API, restores it into a new data directory, serves it, and finds
// every ticket whose create was acknowledged before the backup started,
// the attachment uploaded before it, and a database that passes
// integrity_check.
func TestBackupUnderLoad(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
	lb := backupUnderLoad(t, env)
	archive := lb.archive
	restored := filepath.Join(t.TempDir(), "restored")
	env2 := map[string]string{"OMBUD_DATA": restored, "OMBUD_LOG_LEVEL": "warn"}
	if code, out, er := run(t, env2, "restore", "--in", archive); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: exit %d\n%s\n%s", code, out, er)
	}
	integrity(t, filepath.Join(restored, "ombud.db"))
	checkRestored(t, env2, lb)

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
