package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/web/webtest"
)

// example is one shell command from the docs: a curl call, with the
// variable assignments written before it in the same file.
type example struct {
	file  string
	line  int
	setup []string
	cmd   string
}

var assignment = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)

// shellExamples finds the curl commands in a Markdown text: in fenced
// sh/bash/shell blocks and in indented code blocks, a command running on
// over lines ending in a backslash or inside an open single quote.
func shellExamples(file, text string) []example {
	var out []example
	var setup []string
	lines := strings.Split(text, "\n")
	inFence, shellFence, prevBlank := false, false, true
	inIndented := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		trim := strings.TrimSpace(l)
		if strings.HasPrefix(trim, "```") {
			if inFence {
				inFence = false
			} else {
				lang := strings.TrimPrefix(trim, "```")
				inFence, shellFence = true, lang == "sh" || lang == "bash" || lang == "shell"
			}
			prevBlank = false
			continue
		}
		code := false
		switch {
		case inFence:
			code = shellFence
		case trim == "":
			prevBlank = true
			continue
		case strings.HasPrefix(l, "    ") && (prevBlank || inIndented):
			code, inIndented = true, true
		default:
			inIndented = false
		}
		prevBlank = false
		if !code {
			continue
		}
		start := i
		cmd := trim
		for strings.HasSuffix(cmd, "\\") || strings.Count(cmd, "'")%2 == 1 {
			if i+1 >= len(lines) {
				break
			}
			i++
			cmd += "\n" + strings.TrimSpace(lines[i])
		}
		switch {
		case strings.HasPrefix(cmd, "curl "):
			out = append(out, example{file: file, line: start + 1, setup: append([]string(nil), setup...), cmd: cmd})
		case assignment.MatchString(cmd):
			setup = append(setup, cmd)
		}
	}
	return out
}

// TestDocExamples runs every curl example in docs/*.md, as written, with
// the real curl against Ombud started with the demo data (the token and
// address substituted, as a reader would): each must succeed, and its
// answer must be what the OpenAPI document says (JSON valid against the
// schema, CSV parseable). Examples run in file order on one server, so a
// walk-through may build on the call before it.
func TestDocExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed (scripts/test.sh installs it)")
	}
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(files) == 0 {
		t.Fatalf("docs: %v", err)
	}
	var all []example
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, shellExamples(filepath.Base(f), string(b))...)
	}
	if len(all) < 5 {
		t.Fatalf("found %d curl examples in docs/: the parser is broken", len(all))
	}
	e := apptest.NewDemo(t, db.SQLite)
	// Background jobs run as under serve --demo (under -race and a loaded
	// machine a delivery may wait behind the demo's other jobs for tens of
	// seconds, hence waitDeliveries' three minutes): a reply's delivery is
	// tried (and, the demo mailbox having no relay, fails without any
	// connection), so the docs' edit-and-resend example has a refused
	// reply to supersede.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = e.Sys.Jobs.Run(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait() })
	doc := webtest.FetchOpenAPI(t, e.Client, e.URL)
	dir := t.TempDir()
	// The docs name what an earlier example created as a variable
	// (TICKET, COMMENT): a reader copies the id from the answer, the test
	// takes it from there too.
	vars := map[string]string{}
	for _, ex := range all {
		t.Run(fmt.Sprintf("%s:%d", ex.file, ex.line), func(t *testing.T) {
			runExample(t, e, doc, dir, ex, vars)
		})
		waitDeliveries(t, e, vars["TICKET"])
	}
}

// createdVars names the ids of what the examples create, by route.
var createdVars = map[string]string{
	"POST /api/v1/tickets":               "TICKET",
	"POST /api/v1/tickets/{id}/comments": "COMMENT",
}

// demoAdminEmail is the agent the demo's token belongs to; the Zendesk
// examples send it with the token, as Zendesk clients do.
const demoAdminEmail = "admin@ombud.test"

var docHosts = regexp.MustCompile(`https?://(127\.0\.0\.1|localhost):8080`)

func runExample(t *testing.T, e *apptest.Env, doc *webtest.OpenAPI, dir string, ex example, vars map[string]string) {
	bodyFile, headerFile := filepath.Join(dir, "body"), filepath.Join(dir, "headers")
	// curl is wrapped, not rewritten: the command runs as written, and the
	// wrapper only records the answer.
	script := "set -eu\n" +
		`curl() { command curl -sS -o "$OMBUD_BODY" -D "$OMBUD_HEADERS" -w '%{http_code} %{method} %{url_effective}' "$@"; }` + "\n" +
		strings.Join(ex.setup, "\n") + "\n" + ex.cmd + "\n"
	script = docHosts.ReplaceAllString(script, e.URL)
	cmd := exec.Command("bash", "-c", script)
	cmd.Env = append(os.Environ(), "TOKEN="+e.Tokens[authz.Admin], "EMAIL="+demoAdminEmail, "OMBUD_BODY="+bodyFile, "OMBUD_HEADERS="+headerFile)
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v\n%s\nstderr: %s", err, ex.cmd, stderr.String())
	}
	var status int
	var method, target string
	if _, err := fmt.Sscan(stdout.String(), &status, &method, &target); err != nil {
		t.Fatalf("curl printed %q: %v", stdout.String(), err)
	}
	body, _ := os.ReadFile(bodyFile)
	rawHeaders, _ := os.ReadFile(headerFile)
	header := lastHeaderBlock(rawHeaders)
	if status < 200 || status > 299 {
		t.Fatalf("%s %s: status %d: %.500s\n%s", method, target, status, body, ex.cmd)
	}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if !json.Valid(body) {
			t.Fatalf("%s %s: the answer is not JSON: %.300s", method, target, body)
		}
	case "text/csv":
		recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
		if err != nil || len(recs) < 1 {
			t.Fatalf("%s %s: the answer is not CSV (%v): %.300s", method, target, err, body)
		}
	}
	pattern := doc.Pattern(method, u.Path)
	if pattern == "" {
		t.Fatalf("%s %s is not in the OpenAPI document", method, u.Path)
	}
	if err := doc.CheckResponse(method, pattern, status, header, body); err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	if name := createdVars[method+" "+pattern]; name != "" {
		var created struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(body, &created); err != nil || created.ID == 0 {
			t.Fatalf("%s %s: no id in %.300s", method, target, body)
		}
		vars[name] = fmt.Sprint(created.ID)
	}
}

// lastHeaderBlock parses the headers curl wrote (-D); after a 100 Continue
// or a redirect the last block is the answer's.
func lastHeaderBlock(raw []byte) http.Header {
	blocks := strings.Split(strings.ReplaceAll(string(raw), "\r\n", "\n"), "\n\n")
	last := ""
	for _, b := range blocks {
		if strings.TrimSpace(b) != "" {
			last = b
		}
	}
	r := textproto.NewReader(bufio.NewReader(strings.NewReader(last + "\n\n")))
	_, _ = r.ReadLine() // the status line
	h, _ := r.ReadMIMEHeader()
	return http.Header(h)
}

// waitDeliveries waits until no reply of the ticket is still being sent,
// as a reader would look at the delivery state before resending.
func waitDeliveries(t *testing.T, e *apptest.Env, ticket string) {
	if ticket == "" {
		return
	}
	// Three minutes: the reply's job waits behind the demo's own backlog of
	// jobs, which under -race on a loaded two-core machine outlasted one.
	deadline := time.Now().Add(3 * time.Minute)
	for {
		st, reply := e.Do(t, authz.Admin, "GET", "/api/v1/tickets/"+ticket+"/deliveries", nil)
		if st != 200 {
			t.Fatalf("deliveries: status %d: %v", st, reply["_raw"])
		}
		if !strings.Contains(reply["_raw"].(string), `"state":"sending"`) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a reply of ticket %s is still being sent after 3 minutes: %v", ticket, reply["_raw"])
		}
		time.Sleep(100 * time.Millisecond)
	}
}
