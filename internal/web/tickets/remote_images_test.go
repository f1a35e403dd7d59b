package tickets_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// pixelMail is HTML mail with a tracking pixel, a remote logo in CSS and
// an image sent inside the message (cid:).
const pixelMail = "From: Ola Nordmann <ola@example.no>\r\n" +
	"To: support@example.com\r\n" +
	"Subject: Newsletter-style mail\r\n" +
	"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n" +
	"Message-ID: <pixel-1@example.no>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/related; boundary=\"r\"\r\n" +
	"\r\n" +
	"--r\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"\r\n" +
	"<p>Hei! The invoice is wrong.</p><img src=\"https://tracker.example/open.gif?u=42\" width=\"1\" height=\"1\">" +
	"<p><img src=\"cid:chart@example.no\" alt=\"chart\"></p><img src=\"http://cdn.example/logo.png\" alt=\"Logo\">\r\n" +
	"--r\r\n" +
	"Content-Type: image/png\r\n" +
	"Content-ID: <chart@example.no>\r\n" +
	"Content-Disposition: inline; filename=\"chart.png\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==\r\n" +
	"--r--\r\n"

// TestRemoteImagesHidden: the agent's browser loads no remote image of an
// inbound mail until the agent asks for that message's images; inline
// images show; the page's CSP allows remote images only then.
func TestRemoteImagesHidden(t *testing.T) {
	e := apptest.New(t, db.SQLite)
	ctx := context.Background()
	st, mb := e.Do(t, authz.Admin, "POST", "/api/v1/mailboxes", map[string]any{
		"address": "support@example.com", "name": "Support",
		"smtp": map[string]any{"host": "127.0.0.1", "port": 2525, "security": "none"},
	})
	if st != http.StatusCreated {
		t.Fatalf("mailbox: %d %v", st, mb["_raw"])
	}
	res, err := e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: int64(mb["id"].(float64)), Source: "api",
		Raw: mailtest.NewSigners(e.DNS).Sign(t, []byte(pixelMail))})
	if err != nil || res.CommentID == 0 {
		t.Fatalf("receive: %+v %v", res, err)
	}
	agent := webtest.SignIn(t, e, authz.Agent)
	tp := fmt.Sprintf("/tickets/%d", res.TicketID)
	show := fmt.Sprintf("%s?images=%d", tp, res.CommentID)
	orig := fmt.Sprintf("%s/comments/%d/original", tp, res.CommentID)
	remote := []string{` src="https://tracker.example`, ` src="http://cdn.example`} // the space: not data-src
	hiddenMarks := []string{`data-src="https://tracker.example/open.gif?u=42"`, `data-src="http://cdn.example/logo.png"`}
	inline := ` src="/api/v1/attachments/` // the cid: image, stored with the mail
	cases := []struct {
		name      string
		path      string
		status    int
		want, not []string
		remoteCSP bool // the page's img-src lets remote hosts in
	}{
		{name: "ticket page hides remote images", path: tp, status: 200,
			want: append([]string{`href="` + show + `#c`, "Show images", "Remote images are hidden", inline}, hiddenMarks...), not: remote},
		{name: "shown on request", path: show, status: 200, remoteCSP: true,
			want: append([]string{inline}, remote...), not: []string{"Show images"}},
		{name: "another comment's images stay hidden", path: tp + "?images=999999", status: 200, want: hiddenMarks, not: remote},
		{name: "a bad images parameter", path: tp + "?images=abc", status: 400},
		{name: "print view hides them", path: tp + "/print", status: 200, want: append([]string{inline}, hiddenMarks...), not: remote},
		{name: "original email hides them", path: orig, status: 200, want: append([]string{`href="` + orig + `?images=1`}, hiddenMarks...), not: remote},
		{name: "original email shows them on request", path: orig + "?images=1", status: 200, remoteCSP: true, want: remote},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.URL+tc.path, nil)
			resp, err := agent.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body := strings.ReplaceAll(string(raw), "&amp;", "&")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, tc.status, webtest.Excerpt(body))
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q\n%s", w, webtest.Excerpt(body))
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("page contains %q", w)
				}
			}
			if tc.status != 200 {
				return
			}
			imgSrc := ""
			for _, d := range strings.Split(resp.Header.Get("Content-Security-Policy"), ";") {
				if f := strings.Fields(d); len(f) > 0 && f[0] == "img-src" {
					imgSrc = strings.Join(f[1:], " ")
				}
			}
			open := strings.Contains(imgSrc, "https:") || strings.Contains(imgSrc, "http:") || strings.Contains(imgSrc, "*")
			if imgSrc == "" || open != tc.remoteCSP {
				t.Errorf("CSP img-src %q: remote hosts allowed %v, want %v", imgSrc, open, tc.remoteCSP)
			}
		})
	}
}
