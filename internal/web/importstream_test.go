package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// streamLine is ticket i of a stream import, with an external id; bad
// makes its timeline refuse (no first comment).
func streamLine(i int, bad bool, pad int) string {
	timeline := []map[string]any{{"at": "2025-01-02T10:00:00Z", "actor": "customer:stream@example.no", "do": "comment", "body": "Hello " + strings.Repeat("words ", pad), "public": true}}
	if bad {
		timeline = []map[string]any{{"at": "2025-01-02T10:00:00Z", "actor": "system", "do": "status", "to": "open"}}
	}
	rec := map[string]any{"kind": "ticket", "ticket": map[string]any{
		"external_id": fmt.Sprintf("st-%d", i), "subject": fmt.Sprintf("Stream %d", i), "requester": "stream@example.no",
		"channel": "email", "priority": "normal", "type": "question", "timeline": timeline,
	}}
	b, _ := json.Marshal(rec)
	return string(b) + "\n"
}

func streamFile(from, to, bad, pad int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		b.WriteString(streamLine(i, i == bad, pad))
	}
	return b.String()
}

// streamCounts is how many tickets of the stream are in the database and
// how many distinct external ids they hold.
func streamCounts(t *testing.T, e *apptest.Env) (int, int) {
	t.Helper()
	var n, distinct int
	if err := e.Sys.DB.QueryRowContext(context.Background(), `SELECT COUNT(*), COUNT(DISTINCT external_id) FROM tickets WHERE external_id LIKE 'st-%'`).Scan(&n, &distinct); err != nil {
		t.Fatal(err)
	}
	return n, distinct
}

// postImport posts body (a string: sent with its Content-Length; a reader:
// chunked) to url and decodes the answer.
func postImport(t *testing.T, e *apptest.Env, base, query string, body io.Reader) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest("POST", base+"/api/v1/import"+query, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+e.Tokens[authz.Admin])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("answer %d is not JSON: %s", resp.StatusCode, raw)
	}
	out["_raw"] = string(raw)
	return resp.StatusCode, out
}

// slowServer serves e's handler behind an http.Server whose read and
// write timeouts are a second: an import that takes longer must move its
// deadlines on.
func slowServer(t *testing.T, e *apptest.Env) string {
	t.Helper()
	h, err := e.Sys.Handler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ReadTimeout = time.Second
	srv.Config.WriteTimeout = time.Second
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestImportStream: POST /api/v1/import reads its body as a stream and
// commits it batch by batch, past the server's timeouts; every answer says
// exactly what is committed, and the database holds exactly that; a re-post
// ends with every ticket once.
func TestImportStream(t *testing.T) {
	const limit = 512 << 10
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.NewWith(t, engine, func(c *config.Config) { c.ImportMaxBytes = limit })
			base := slowServer(t, e)
			doc := webtest.FetchOpenAPI(t, e.Client, e.URL)
			documented := func(st int, res map[string]any) {
				t.Helper()
				if err := doc.CheckResponse("POST", "/api/v1/import", st, http.Header{"Content-Type": {"application/json"}}, []byte(res["_raw"].(string))); err != nil {
					t.Errorf("answer %d is not as documented: %v", st, err)
				}
			}
			num := func(m map[string]any, k string) int {
				if imp, ok := m["import"].(map[string]any); ok {
					m = imp
				}
				v, _ := m[k].(float64)
				return int(v)
			}

			// A stream of 1,100 tickets (three batches) sent slowly, over
			// three times the server's timeouts, with a bad line at 700.
			pr, pw := io.Pipe()
			go func() {
				for from := 1; from <= 1100; from += 200 {
					if _, err := io.WriteString(pw, streamFile(from, min(from+199, 1100), 700, 0)); err != nil {
						return
					}
					time.Sleep(600 * time.Millisecond)
				}
				pw.Close()
			}()
			st, res := postImport(t, e, base, "", pr)
			if st != http.StatusOK || num(res, "imported") != 1099 || num(res, "tickets_imported") != 1099 || num(res, "failed") != 1 || num(res, "committed_through_line") != 1100 || res["last_external_id"] != "st-1100" {
				t.Fatalf("slow stream: %d %s", st, res["_raw"])
			}
			documented(st, res)
			first := res["errors"].([]any)[0].(map[string]any)
			if first["line"] != 700.0 || first["fields"].(map[string]any)["ticket.timeline[0]"] == nil {
				t.Errorf("the bad line is reported as %v", first)
			}
			if n, d := streamCounts(t, e); n != 1099 || d != 1099 {
				t.Fatalf("after the stream: %d tickets (%d distinct), want 1099", n, d)
			}

			// Over the limit mid-stream (chunked, no Content-Length): a
			// 413 naming the limit and what was committed, which the
			// database holds; the rest posted after it completes it.
			file := streamFile(2001, 2400, 0, 250)
			st, res = postImport(t, e, base, "", io.MultiReader(strings.NewReader(file))) // a reader without a length: chunked
			committed := num(res, "committed_through_line")
			if st != http.StatusRequestEntityTooLarge || res["error"].(map[string]any)["code"] != "too_large" || !strings.Contains(res["error"].(map[string]any)["message"].(string), fmt.Sprint(limit)) {
				t.Fatalf("over the limit: %d %s", st, res["_raw"])
			}
			if committed == 0 || committed >= 400 || num(res, "tickets_imported") != committed || res["import"].(map[string]any)["last_external_id"] != fmt.Sprintf("st-%d", 2000+committed) {
				t.Fatalf("over the limit: committed %d: %s", committed, res["_raw"])
			}
			documented(st, res)
			if n, _ := streamCounts(t, e); n != 1099+committed {
				t.Fatalf("after the 413: %d tickets, the answer says %d", n, 1099+committed)
			}
			st, res = postImport(t, e, base, "", strings.NewReader(streamFile(2001+committed, 2400, 0, 250)))
			if st != http.StatusOK || num(res, "imported") != 400-committed {
				t.Fatalf("the rest: %d %s", st, res["_raw"])
			}

			// A Content-Length over the limit is refused before anything.
			st, res = postImport(t, e, base, "", strings.NewReader(streamFile(3001, 3400, 0, 250)))
			if st != http.StatusRequestEntityTooLarge || num(res, "committed_through_line") != 0 || num(res, "imported") != 0 {
				t.Fatalf("Content-Length over the limit: %d %s", st, res["_raw"])
			}
			documented(st, res)
			if n, d := streamCounts(t, e); n != 1499 || d != 1499 {
				t.Fatalf("%d tickets (%d distinct), want 1499", n, d)
			}

			// Re-posting the first file: every ticket once.
			st, res = postImport(t, e, base, "", strings.NewReader(streamFile(1, 1100, 700, 0)))
			if st != http.StatusOK || num(res, "imported") != 0 || num(res, "skipped") != 1099 || num(res, "failed") != 1 {
				t.Fatalf("re-post: %d %s", st, res["_raw"])
			}
			if n, d := streamCounts(t, e); n != 1499 || d != 1499 {
				t.Fatalf("after the re-post: %d tickets (%d distinct), want 1499", n, d)
			}
		})
	}
}

// TestImportStreamCut: a body cut short (the client stops sending and
// closes its side) is a 400 saying what was committed; a client that goes
// away keeps what arrived in whole lines; re-posting completes either.
func TestImportStreamCut(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			file := streamFile(1, 620, 0, 0)
			lines := strings.SplitAfter(file, "\n")
			sent := strings.Join(lines[:530], "") + lines[530][:40] // 530 whole lines, then part of one
			u, _ := url.Parse(e.URL)
			raw := func(closeWrite bool) string {
				conn, err := net.Dial("tcp", u.Host)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				fmt.Fprintf(conn, "POST /api/v1/import HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/x-ndjson\r\nContent-Length: %d\r\n\r\n%s",
					u.Host, e.Tokens[authz.Admin], len(file), sent)
				if !closeWrite {
					return "" // gone, without a word
				}
				conn.(*net.TCPConn).CloseWrite()
				resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
				if err != nil {
					t.Fatalf("read the answer: %v", err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return fmt.Sprintf("%d %s", resp.StatusCode, b)
			}
			answer := raw(true)
			var res struct {
				Error  map[string]any `json:"error"`
				Import map[string]any `json:"import"`
			}
			if !strings.HasPrefix(answer, "400 ") || json.Unmarshal([]byte(answer[4:]), &res) != nil || res.Import["committed_through_line"] != 530.0 || res.Import["tickets_imported"] != 530.0 || res.Import["last_external_id"] != "st-530" {
				t.Fatalf("cut short: %s", answer)
			}
			doc := webtest.FetchOpenAPI(t, e.Client, e.URL)
			if err := doc.CheckResponse("POST", "/api/v1/import", 400, http.Header{"Content-Type": {"application/json"}}, []byte(answer[4:])); err != nil {
				t.Errorf("the 400 is not as documented: %v", err)
			}
			if n, _ := streamCounts(t, e); n != 530 {
				t.Fatalf("%d tickets after the cut, the answer says 530", n)
			}
			st, out := postImport(t, e, e.URL, "?after_line=530", strings.NewReader(file))
			if st != http.StatusOK || out["imported"] != 90.0 || out["skipped"] != 530.0 {
				t.Fatalf("resume after line 530: %d %s", st, out["_raw"])
			}

			// The same with a client that vanishes: the lines that arrived
			// whole are committed (the import does not stop with the
			// client), the rest re-posted.
			file = streamFile(5001, 5620, 0, 0)
			lines = strings.SplitAfter(file, "\n")
			sent = strings.Join(lines[:530], "") + lines[530][:40]
			raw(false)
			var n int
			for i := 0; i < 400; i++ {
				n, _ = streamCounts(t, e)
				if n == 620+530 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond)
			if n, _ = streamCounts(t, e); n != 620+530 {
				t.Fatalf("%d tickets after the client vanished, want %d", n, 620+530)
			}
			st, out = postImport(t, e, e.URL, "", strings.NewReader(file))
			if st != http.StatusOK || out["imported"] != 90.0 || out["skipped"] != 530.0 {
				t.Fatalf("re-post: %d %s", st, out["_raw"])
			}
			if n, d := streamCounts(t, e); n != 1240 || d != 1240 {
				t.Fatalf("%d tickets (%d distinct), want 1240", n, d)
			}
		})
	}
}
