package tickets_test

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

var attachmentLink = regexp.MustCompile(`<a href="/api/v1/attachments/(\d+)">([^<]+)</a>`)

func TestComposer(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 300)...)
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine) // request bodies up to 1 MiB
			capture := webtest.StartOutbound(t, e)
			id := webtest.CreateTicket(t, e, "Composer case")
			path := fmt.Sprintf("/tickets/%d", id)
			agent := webtest.SignIn(t, e, authz.Agent)
			manager := e.Agents[authz.Manager]

			t.Run("reply with two attachments", func(t *testing.T) {
				st, body, loc := agent.PostMultipart(t, path+"/comments",
					[][2]string{{"public", "true"}, {"body", "Here are the two files you asked for."}, {"status", ""}},
					[]webtest.Upload{{Name: "invoice.txt", Type: "text/plain", Data: []byte("Invoice 42: 100 NOK\n")}, {Name: "screen shot.png", Type: "image/png", Data: png}})
				if st != http.StatusSeeOther || !strings.HasPrefix(loc, path) {
					t.Fatalf("status %d, location %q\n%s", st, loc, webtest.Excerpt(body))
				}
				st, page := agent.Get(t, path)
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
					st, got := agent.Get(t, "/api/v1/attachments/"+aid)
					if st != http.StatusOK || !bytes.Equal(got, want) {
						t.Errorf("download %s: status %d, %d bytes, want %d", name, st, len(got), len(want))
					}
				}
				env := webtest.WaitMail(t, capture, "reply with attachments", func(env *enmime.Envelope, m mailtest.Captured) bool {
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
				st, body, _ := agent.PostMultipart(t, path+"/comments",
					[][2]string{{"public", "false"}, {"body", "Draft that must survive the refusal"}},
					[]webtest.Upload{{Name: "small.txt", Type: "text/plain", Data: []byte("ok")}, {Name: "huge.bin", Type: "application/octet-stream", Data: big}})
				if st != http.StatusRequestEntityTooLarge {
					t.Fatalf("status %d, want 413\n%s", st, webtest.Excerpt(body))
				}
				for _, want := range []string{
					"Draft that must survive the refusal</textarea>", `id="attachments-error">`, "is larger than", "huge.bin",
					`aria-invalid="true"`, `aria-describedby="attachments-hint attachments-error"`,
					`value="false" checked`, // still an internal note
				} {
					if !strings.Contains(body, want) {
						t.Errorf("page lacks %q\n%s", want, webtest.Excerpt(body))
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
				st, body, _ := agent.PostMultipart(t, path+"/comments",
					[][2]string{{"public", "true"}, {"body", "Three parts"}},
					[]webtest.Upload{{Name: "a.bin", Data: part}, {Name: "b.bin", Data: part}, {Name: "c.bin", Data: part}})
				if st != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Three parts</textarea>") ||
					!strings.Contains(body, "The files are larger than") {
					t.Fatalf("status %d\n%s", st, webtest.Excerpt(body))
				}
			})

			t.Run("one file over the per-file limit", func(t *testing.T) {
				// Under the body limit, so the form is read to its end:
				// still refused, still kept.
				st, body, _ := agent.PostMultipart(t, path+"/comments",
					[][2]string{{"public", "true"}, {"body", "Second try"}},
					[]webtest.Upload{{Name: "almost.bin", Type: "application/octet-stream", Data: bytes.Repeat([]byte("y"), 1<<20-50<<10)}})
				if st != http.StatusRequestEntityTooLarge || !strings.Contains(body, "Second try</textarea>") ||
					!strings.Contains(body, "“almost.bin” is larger than") {
					t.Fatalf("status %d\n%s", st, webtest.Excerpt(body))
				}
			})

			t.Run("refused message with files says to choose them again", func(t *testing.T) {
				st, body, _ := agent.PostMultipart(t, path+"/comments", [][2]string{{"public", "true"}, {"body", "  "}},
					[]webtest.Upload{{Name: "only.txt", Type: "text/plain", Data: []byte("x")}})
				if st != http.StatusBadRequest && st != http.StatusUnprocessableEntity {
					t.Fatalf("status %d\n%s", st, webtest.Excerpt(body))
				}
				if !strings.Contains(body, `id="attachments-error">The files were not sent: choose them again.`) {
					t.Errorf("no note about the files\n%s", webtest.Excerpt(body))
				}
			})

			t.Run("note mentioning an agent", func(t *testing.T) {
				st, body, _ := agent.Do(t, "POST", path+"/comments", map[string][]string{
					"public": {"false"}, "body": {"@Test Manager could you approve the refund? Thanks, @test agent"},
				})
				if st != http.StatusSeeOther {
					t.Fatalf("status %d\n%s", st, webtest.Excerpt(body))
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
				webtest.WaitMail(t, capture, "mention notice to the manager", func(env *enmime.Envelope, m mailtest.Captured) bool {
					return slices.Contains(m.To, manager.Email) && strings.Contains(env.GetHeader("Subject"), "mentioned you") &&
						strings.Contains(env.Text, "could you approve the refund")
				})
				_, page := agent.Get(t, path)
				for _, want := range []string{`<span class="mention">@Test Manager</span>`, "mentioned Test manager"} {
					if !strings.Contains(string(page), want) {
						t.Errorf("ticket page lacks %q", want)
					}
				}
			})

			t.Run("mention suggestions", func(t *testing.T) {
				st, body, _ := agent.Do(t, "GET", "/agents/mentions?q=test+man", nil)
				if st != http.StatusOK || !strings.Contains(body, `"email":"manager@ombud.test"`) || strings.Contains(body, "qa_reviewer@") {
					t.Fatalf("status %d: %s", st, body)
				}
			})

			t.Run("print view", func(t *testing.T) {
				st, body, _ := agent.Do(t, "GET", path+"/print", nil)
				if st != http.StatusOK {
					t.Fatalf("status %d", st)
				}
				for _, want := range []string{"Composer case", "Hello, my order is late.", "Here are the two files you asked for.",
					`<span class="badge">Internal note</span>`, "invoice.txt", "screen shot.png", "ola@example.no", "print.css"} {
					if !strings.Contains(body, want) {
						t.Errorf("print view lacks %q\n%s", want, webtest.Excerpt(body))
					}
				}
				for _, bad := range []string{`class="composer"`, "<textarea", `class="top"`, "app.js", `name="csrf_token"`} {
					if strings.Contains(body, bad) {
						t.Errorf("print view contains %q", bad)
					}
				}
				_, page := agent.Get(t, path)
				if !strings.Contains(string(page), fmt.Sprintf(`href="/tickets/%d/print"`, id)) {
					t.Error("ticket page has no Print link")
				}
				css := regexp.MustCompile(`href="(/static/[^"]+/print\.css)"`).FindStringSubmatch(body)
				if css == nil {
					t.Fatal("no print stylesheet")
				}
				if st, sheet := agent.Get(t, css[1]); st != http.StatusOK || !bytes.Contains(sheet, []byte("@media print")) {
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
