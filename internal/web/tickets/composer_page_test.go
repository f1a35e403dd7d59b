package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
)

// upload is one file of a composer post.
type upload struct {
	name, ctype string
	data        []byte
}

// postComposer sends the composer form as a browser does: multipart, the
// CSRF token first, the text fields, then the files.
func (b *browser) postComposer(t *testing.T, path string, fields [][2]string, files []upload) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", b.csrf)
	for _, f := range fields {
		_ = mw.WriteField(f[0], f[1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.name))
		h.Set("Content-Type", f.ctype)
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.e.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw), resp.Header.Get("Location")
}

// get fetches a path with the browser's session and returns status and body.
func (b *browser) get(t *testing.T, path string) (int, []byte) {
	t.Helper()
	resp, err := b.client.Get(b.e.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// startOutbound gives e a mailbox whose relay is a capture server and runs
// the job runner, so queued email is really sent.
func startOutbound(t *testing.T, e *apptest.Env) *mailtest.Capture {
	t.Helper()
	capture := mailtest.StartCapture(t)
	host, port, _ := net.SplitHostPort(capture.Addr())
	p, _ := strconv.Atoi(port)
	st, mb := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
		"address": "support@example.com", "name": "Support",
		"smtp": map[string]any{"host": host, "port": p, "security": "none"},
	})
	if st != http.StatusCreated {
		t.Fatalf("create mailbox: %d %v", st, mb["_raw"])
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = e.Sys.Jobs.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	return capture
}

// waitMail waits for a captured message that match accepts.
func waitMail(t *testing.T, c *mailtest.Capture, what string, match func(*enmime.Envelope, mailtest.Captured) bool) *enmime.Envelope {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		for _, m := range c.Messages() {
			env, err := enmime.ReadEnvelope(bytes.NewReader(m.Data))
			if err == nil && match(env, m) {
				return env
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s among %d captured messages", what, len(c.Messages()))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

var attachmentLink = regexp.MustCompile(`<a href="/api/v1/attachments/(\d+)">([^<]+)</a>`)

func TestComposer(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 300)...)
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine) // request bodies up to 1 MiB
			capture := startOutbound(t, e)
			id := createTicket(t, e, "Composer case")
			path := fmt.Sprintf("/tickets/%d", id)
			agent := signIn(t, e, authz.Agent)
			manager := e.Agents[authz.Manager]

			t.Run("reply with two attachments", func(t *testing.T) {
				st, body, loc := agent.postComposer(t, path+"/comments",
					[][2]string{{"public", "true"}, {"body", "Here are the two files you asked for."}, {"status", ""}},
					[]upload{{"invoice.txt", "text/plain", []byte("Invoice 42: 100 NOK\n")}, {"screen shot.png", "image/png", png}})
				if st != http.StatusSeeOther || !strings.HasPrefix(loc, path) {
					t.Fatalf("status %d, location %q\n%s", st, loc, excerpt(body))
				}
				st, page := agent.get(t, path)
				if st != http.StatusOK {
					t.Fatalf("page: %d", st)
				}
				links := map[string]string{}
				for _, m := range attachmentLink.FindAllStringSubmatch(string(page), -1) {
					links[m[2]] = m[1]
				}
				for name, want := range map[string][]byte{"invoice.txt": []byte("Invoice 42: 100 NOK\n"), "screen shot.png": png} {
					aid, ok := links[name]
					if !ok {
						t.Fatalf("page lists no %q attachment (links %v)", name, links)
					}
					st, got := agent.get(t, "/api/v1/attachments/"+aid)
					if st != http.StatusOK || !bytes.Equal(got, want) {
						t.Errorf("download %s: status %d, %d bytes, want %d", name, st, len(got), len(want))
					}
				}
				env := waitMail(t, capture, "reply with attachments", func(env *enmime.Envelope, m mailtest.Captured) bool {
					return strings.Contains(env.Text, "Here are the two files")
				})
				var names []string
				for _, a := range env.Attachments {
					names = append(names, a.FileName)
					// Text parts travel with CRLF line ends (RFC 2045).
					if a.FileName == "invoice.txt" && strings.ReplaceAll(string(a.Content), "\r\n", "\n") != "Invoice 42: 100 NOK\n" {
						t.Errorf("emailed invoice.txt = %q", a.Content)
					}
					if a.FileName == "screen shot.png" && !bytes.Equal(a.Content, png) {
						t.Errorf("emailed png differs (%d bytes)", len(a.Content))
					}
				}
				slices.Sort(names)
				if !slices.Equal(names, []string{"invoice.txt", "screen shot.png"}) {
					t.Errorf("email attachments %v", names)
				}
			})

			t.Run("oversized upload keeps the text", func(t *testing.T) {
				before := commentCount(t, e, id)
				big := bytes.Repeat([]byte("x"), 1<<20+100<<10)
				st, body, _ := agent.postComposer(t, path+"/comments",
					[][2]string{{"public", "false"}, {"body", "Draft that must survive the refusal"}},
					[]upload{{"small.txt", "text/plain", []byte("ok")}, {"huge.bin", "application/octet-stream", big}})
				if st != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d, want 413\n%s", st, excerpt(body))
				}
				for _, want := range []string{
					"Draft that must survive the refusal</textarea>", `id="attachments-error">`, "is larger than", "huge.bin",
					`aria-invalid="true"`, `aria-describedby="attachments-hint attachments-error"`,
					`value="false" checked`, // still an internal note
				} {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q\n%s", want, excerpt(body))
					}
				}
				if after := commentCount(t, e, id); after != before {
					t.Errorf("comments %d → %d: a refused message was stored", before, after)
				}
			})

			t.Run("files over the body limit together", func(t *testing.T) {
				// Each file is under the per-file limit; together they pass
				// the request limit, so the body is cut off mid-file.
				part := bytes.Repeat([]byte("z"), 400<<10)
				st, body, _ := agent.postComposer(t, path+"/comments",
					[][2]string{{"public", "true"}, {"body", "Three parts"}},
					[]upload{{"a.bin", "", part}, {"b.bin", "", part}, {"c.bin", "", part}})
				if st != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Three parts</textarea>") ||
					!strings.Contains(body, "The files are larger than") {
					t.Fatalf("status %d\n%s", st, excerpt(body))
				}
			})

			t.Run("one file over the per-file limit", func(t *testing.T) {
				// Under the body limit, so the form is read to its end:
				// still refused, still kept.
				st, body, _ := agent.postComposer(t, path+"/comments",
					[][2]string{{"public", "true"}, {"body", "Second try"}},
					[]upload{{"almost.bin", "application/octet-stream", bytes.Repeat([]byte("y"), 1<<20-50<<10)}})
				if st != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Second try</textarea>") ||
					!strings.Contains(body, "“almost.bin” is larger than") {
					t.Fatalf("status %d\n%s", st, excerpt(body))
				}
			})

			t.Run("refused message with files says to choose them again", func(t *testing.T) {
				st, body, _ := agent.postComposer(t, path+"/comments", [][2]string{{"public", "true"}, {"body", "  "}},
					[]upload{{"only.txt", "text/plain", []byte("x")}})
				if st != http.StatusBadRequest && st != http.StatusUnprocessableEntity {
					t.Fatalf("status %d\n%s", st, excerpt(body))
				}
				if !strings.Contains(body, `id="attachments-error">The files were not sent: choose them again.`) {
					t.Errorf("no note about the files\n%s", excerpt(body))
				}
			})

			t.Run("note mentioning an agent", func(t *testing.T) {
				st, body, _ := agent.do(t, "POST", path+"/comments", map[string][]string{
					"public": {"false"}, "body": {"@Test Manager could you approve the refund? Thanks, @test agent"},
				})
				if st != http.StatusSeeOther {
					t.Fatalf("status %d\n%s", st, excerpt(body))
				}
				tk := ticketJSON(t, e, id)
				if !slices.Contains(tk.followers, manager.ID) {
					t.Errorf("followers %v lack the mentioned manager %d", tk.followers, manager.ID)
				}
				if slices.Contains(tk.followers, e.Agents[authz.Agent].ID) {
					t.Errorf("the author mentioned themselves and became a follower")
				}
				ev := lastEvent(t, e, id, "mentioned")
				if ev == nil {
					t.Fatal("no mentioned event")
				}
				ids, _ := ev["data"].(map[string]any)["agent_ids"].([]any)
				if len(ids) != 1 || int64(ids[0].(float64)) != manager.ID || int64(ev["actor_id"].(float64)) != e.Agents[authz.Agent].ID {
					t.Errorf("mentioned event %v", ev)
				}
				waitMail(t, capture, "mention notice to the manager", func(env *enmime.Envelope, m mailtest.Captured) bool {
					return slices.Contains(m.To, manager.Email) && strings.Contains(env.GetHeader("Subject"), "mentioned you") &&
						strings.Contains(env.Text, "could you approve the refund")
				})
				_, page := agent.get(t, path)
				for _, want := range []string{`<span class="mention">@Test Manager</span>`, "mentioned Test manager"} {
					if !strings.Contains(string(page), want) {
						t.Errorf("ticket page lacks %q", want)
					}
				}
			})

			t.Run("mention suggestions", func(t *testing.T) {
				st, body, _ := agent.do(t, "GET", "/agents/mentions?q=test+man", nil)
				if st != http.StatusOK || !strings.Contains(body, `"email":"manager@ombud.test"`) || strings.Contains(body, "qa_reviewer@") {
					t.Fatalf("status %d: %s", st, body)
				}
			})

			t.Run("print view", func(t *testing.T) {
				st, body, _ := agent.do(t, "GET", path+"/print", nil)
				if st != http.StatusOK {
					t.Fatalf("status %d", st)
				}
				for _, want := range []string{"Composer case", "Hello, my order is late.", "Here are the two files you asked for.",
					`<span class="badge">Internal note</span>`, "invoice.txt", "screen shot.png", "ola@example.no", "print.css"} {
					if !strings.Contains(body, want) {
						t.Errorf("print view lacks %q\n%s", want, excerpt(body))
					}
				}
				for _, bad := range []string{`class="composer"`, "<textarea", `class="top"`, "app.js", `name="csrf_token"`} {
					if strings.Contains(body, bad) {
						t.Errorf("print view contains %q", bad)
					}
				}
				_, page := agent.get(t, path)
				if !strings.Contains(string(page), fmt.Sprintf(`href="/tickets/%d/print"`, id)) {
					t.Error("ticket page has no Print link")
				}
				css := regexp.MustCompile(`href="(/static/[^"]+/print\.css)"`).FindStringSubmatch(body)
				if css == nil {
					t.Fatal("no print stylesheet")
				}
				if st, sheet := agent.get(t, css[1]); st != http.StatusOK || !bytes.Contains(sheet, []byte("@media print")) {
					t.Errorf("print.css: %d, has @media print: %v", st, bytes.Contains(sheet, []byte("@media print")))
				}
			})
		})
	}
}

func commentCount(t *testing.T, e *apptest.Env, id int64) int {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments?limit=100", id), nil)
	if st != http.StatusOK {
		t.Fatalf("comments: %d", st)
	}
	return len(body["data"].([]any))
}

type ticketInfo struct{ followers []int64 }

func ticketJSON(t *testing.T, e *apptest.Env, id int64) ticketInfo {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil)
	if st != http.StatusOK {
		t.Fatalf("ticket: %d", st)
	}
	var out ticketInfo
	fs, _ := body["follower_ids"].([]any)
	for _, f := range fs {
		out.followers = append(out.followers, int64(f.(float64)))
	}
	return out
}

// lastEvent returns the ticket's newest event of a type, nil when none.
func lastEvent(t *testing.T, e *apptest.Env, id int64, typ string) map[string]any {
	t.Helper()
	st, body := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/events?limit=100", id), nil)
	if st != http.StatusOK {
		t.Fatalf("events: %d", st)
	}
	var last map[string]any
	for _, x := range body["data"].([]any) {
		if ev := x.(map[string]any); ev["type"] == typ {
			last = ev
		}
	}
	return last
}
