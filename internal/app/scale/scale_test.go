package scale_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/mail"
	"net/smtp"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/mailtest"
)

// TestThreeInstances is issue #19's scale-out check: three instances on one
// PostgreSQL behind a round-robin proxy behave as one Ombud, then hold a
// steady mixed load (soak_test.go) without an error and with flat memory.
func TestThreeInstances(t *testing.T) {
	c := startCluster(t)
	c.cli("user", "create", "--email", "admin@ombud.test", "--name", "Ada Admin", "--role", "admin", "--password", password)
	c.cli("user", "create", "--email", "ingrid@ombud.test", "--name", "Ingrid Haugen", "--role", "agent", "--password", password)
	c.cli("user", "create", "--email", "erik@ombud.test", "--name", "Erik Lund", "--role", "agent", "--password", password)
	admin := strings.TrimSpace(c.cli("token", "create", "--email", "admin@ombud.test"))
	erikTok := strings.TrimSpace(c.cli("token", "create", "--email", "erik@ombud.test"))
	ingridTok := strings.TrimSpace(c.cli("token", "create", "--email", "ingrid@ombud.test"))

	// Outbound mail goes to a capturing SMTP server: every reply and notice
	// of the whole run is counted there.
	capture := mailtest.StartCapture(t)
	host, port, _ := net.SplitHostPort(capture.Addr())
	p, _ := strconv.Atoi(port)
	if st, mb := c.api("POST", "/api/v1/mailboxes", admin, -1, map[string]any{
		"address": "support@example.com", "name": "Support",
		"smtp": map[string]any{"host": host, "port": p, "security": "none"},
	}); st != 201 {
		t.Fatalf("create mailbox: %d %v", st, mb)
	}
	newTicket := func(subject string, pin int) int64 {
		t.Helper()
		st, tk := c.api("POST", "/api/v1/tickets", ingridTok, pin, map[string]any{
			"subject": subject, "description": "Hei, dette gjelder bestilling 4711.",
			"requester": map[string]string{"email": "kari@fjord.example", "name": "Kari Nordmann"},
		})
		if st != 201 {
			t.Fatalf("create ticket: %d %v", st, tk)
		}
		return int64(tk["id"].(float64))
	}

	ingrid, erik := c.mustSignIn("ingrid@ombud.test"), c.mustSignIn("erik@ombud.test")

	t.Run("a session works on every instance", func(t *testing.T) {
		for i := range 6 { // unpinned: round robin spreads them
			if st, body, err := ingrid.do(context.Background(), "GET", "/tickets", -1, nil); err != nil || st != 200 || !bytes.Contains(body, []byte(ingrid.csrf)) {
				t.Fatalf("request %d: %d %v", i, st, err)
			}
		}
		// A form signed with the CSRF token of a page one instance served
		// is accepted by the others.
		id := newTicket("Sesjonen på alle tre", 0)
		for i := range 3 {
			st, _, err := ingrid.do(context.Background(), "POST", fmt.Sprintf("/tickets/%d/comments", id), i, url.Values{"body": {fmt.Sprint("Notat fra instans ", i)}, "public": {"false"}})
			if err != nil || st != http.StatusSeeOther {
				t.Fatalf("note through instance %d: %d %v", i, st, err)
			}
		}
		// Signing out on one instance ends the session on all of them.
		s := c.mustSignIn("erik@ombud.test")
		if st, _, err := s.do(context.Background(), "POST", "/logout", 1, nil); err != nil || st != http.StatusSeeOther {
			t.Fatalf("sign out: %d %v", st, err)
		}
		for i := range 3 {
			st, _, err := s.do(context.Background(), "GET", "/tickets", i, nil)
			if err != nil || st != http.StatusSeeOther {
				t.Errorf("instance %d after sign-out: %d %v, want a redirect to sign in", i, st, err)
			}
		}
	})

	t.Run("a revoked API token stops on every instance at once", func(t *testing.T) {
		st, tk := c.api("POST", "/api/v1/tokens", admin, 0, map[string]any{"name": "scale"})
		if st != 201 {
			t.Fatalf("create token: %d %v", st, tk)
		}
		secret, id := tk["token"].(string), int64(tk["id"].(float64))
		for i := range 3 { // each instance now holds it in its cache
			if st, _ := c.api("GET", "/api/v1/me", secret, i, nil); st != 200 {
				t.Fatalf("instance %d: %d", i, st)
			}
		}
		if st, _ := c.api("DELETE", fmt.Sprint("/api/v1/tokens/", id), admin, 0, nil); st != 204 {
			t.Fatalf("revoke: %d", st)
		}
		// Well inside the cache's 10 s: the NOTIFY evicted it.
		deadline := time.Now().Add(3 * time.Second)
		for _, i := range []int{1, 2} {
			for {
				st, _ := c.api("GET", "/api/v1/me", secret, i, nil)
				if st == 401 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("instance %d still accepts the revoked token: %d", i, st)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
	})

	t.Run("sign-in limits count across instances, per forwarded client address", func(t *testing.T) {
		const guesser, other = "192.0.2.50", "192.0.2.51"
		for i := range 10 { // round robin: each instance sees some
			_, st, err := c.signIn("ingrid@ombud.test", "wrong-password", guesser)
			if err != nil || st == http.StatusSeeOther || st == http.StatusTooManyRequests {
				t.Fatalf("wrong password %d: %d %v", i, st, err)
			}
		}
		if _, st, err := c.signIn("ingrid@ombud.test", password, guesser); err != nil || st != http.StatusTooManyRequests {
			t.Errorf("11th attempt from the guesser: %d %v, want 429", st, err)
		}
		if _, st, err := c.signIn("ingrid@ombud.test", password, other); err != nil || st != http.StatusSeeOther {
			t.Errorf("the owner from another address: %d %v, want signed in", st, err)
		}
	})

	t.Run("an event stream on A gets a change made through C", func(t *testing.T) {
		id := newTicket("Live mellom instanser", 1)
		st, err := ingrid.stream("/live", 0)
		if err != nil {
			t.Fatal(err)
		}
		defer st.cancel()
		time.Sleep(200 * time.Millisecond) // the stream is subscribed once its headers arrived; be generous
		if code, cm := c.api("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), erikTok, 2, map[string]any{"body": "Sendt via C", "public": false}); code != 201 {
			t.Fatalf("comment through C: %d %v", code, cm)
		}
		st.wait(t, "ticket event", 10*time.Second, func(e sseEvent) bool {
			return e.name == "ticket" && strings.Contains(e.data, fmt.Sprintf(`"ticket_id":%d`, id))
		})
	})

	// Presence: Erik watches on B, Ingrid opens the ticket on A and types
	// through C. Their streams stay open through the soak, so the check after
	// it sees presence outlive live.PresenceTTL across instances.
	presenceTicket := newTicket("Hvem ser på denne?", 0)
	var presenceSince time.Time
	var erikWatch, ingridWatch *stream
	t.Run("presence and collision warnings cross instances", func(t *testing.T) {
		var err error
		path := fmt.Sprint("/live?ticket=", presenceTicket)
		if erikWatch, err = erik.stream(path, 1); err != nil {
			t.Fatal(err)
		}
		erikWatch.wait(t, "Erik's first viewers list", 5*time.Second, func(e sseEvent) bool { return e.name == "viewers" })
		if ingridWatch, err = ingrid.stream(path, 0); err != nil {
			t.Fatal(err)
		}
		presenceSince = time.Now()
		erikWatch.wait(t, "Ingrid viewing, seen on B", 10*time.Second, func(e sseEvent) bool {
			return slices.Contains(viewerNames(e), "Ingrid Haugen:viewing")
		})
		ingridWatch.wait(t, "Erik viewing, seen on A", 10*time.Second, func(e sseEvent) bool {
			return slices.Contains(viewerNames(e), "Erik Lund:viewing")
		})
		if st, _, err := ingrid.do(context.Background(), "POST", fmt.Sprintf("/tickets/%d/presence", presenceTicket), 2, url.Values{"state": {"typing"}}); err != nil || st != http.StatusNoContent {
			t.Fatalf("typing through C: %d %v", st, err)
		}
		erikWatch.wait(t, "Ingrid typing, seen on B", 10*time.Second, func(e sseEvent) bool {
			return slices.Contains(viewerNames(e), "Ingrid Haugen:typing")
		})

		// The composer's collision warning: Ingrid's page came from A, Erik
		// answers the customer through B, Ingrid sends through C.
		_, page, err := ingrid.do(context.Background(), "GET", fmt.Sprint("/tickets/", presenceTicket), 0, nil)
		m := regexp.MustCompile(`name="version" value="(\d+)"`).FindSubmatch(page)
		if err != nil || m == nil {
			t.Fatalf("ticket page: %v, no version field", err)
		}
		if code, cm := c.api("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", presenceTicket), erikTok, 1, map[string]any{"body": "Jeg svarer kunden nå.", "public": true}); code != 201 {
			t.Fatalf("Erik's reply: %d %v", code, cm)
		}
		st, body, err := ingrid.do(context.Background(), "POST", fmt.Sprintf("/tickets/%d/comments", presenceTicket), 2,
			url.Values{"body": {"Mitt svar"}, "public": {"true"}, "version": {string(m[1])}})
		if err != nil || st != http.StatusConflict || !bytes.Contains(body, []byte("Erik Lund")) {
			t.Fatalf("reply over Erik's: %d %v, want 409 naming Erik", st, err)
		}
	})

	var mailTicket int64
	t.Run("SMTP on two instances: every mail once, none twice", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 32)
		for i := range 6 { // alternately to A and B
			raw := mailMessage(fmt.Sprintf("kunde%d@fjord.example", i), fmt.Sprintf("Scale mail %d", i), fmt.Sprintf("scale-%d@fjord.example", i))
			if err := smtp.SendMail(c.inst[i%2].smtp, nil, fmt.Sprintf("kunde%d@fjord.example", i), []string{"support@example.com"}, raw); err != nil {
				t.Fatalf("mail %d: %v", i, err)
			}
		}
		for i := 6; i < 10; i++ { // the same message to both at once, as a retrying sender might
			raw := mailMessage(fmt.Sprintf("kunde%d@fjord.example", i), fmt.Sprintf("Scale mail %d", i), fmt.Sprintf("scale-%d@fjord.example", i))
			for _, in := range c.inst[:2] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := smtp.SendMail(in.smtp, nil, fmt.Sprintf("kunde%d@fjord.example", i), []string{"support@example.com"}, raw); err != nil {
						errs <- fmt.Errorf("mail %d to %s: %w", i, in.name, err)
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if n := c.count(`SELECT COUNT(*) FROM tickets WHERE subject LIKE 'Scale mail %'`); n != 10 {
			t.Errorf("%d tickets from 10 distinct mails", n)
		}
		if n := c.count(`SELECT COUNT(*) FROM inbound_messages WHERE subject LIKE 'Scale mail %'`); n != 10 {
			t.Errorf("%d stored inbound messages for 10 distinct mails", n)
		}
		mailTicket = c.count(`SELECT id FROM tickets WHERE subject = 'Scale mail 0'`)
	})

	t.Run("jobs run exactly once per enqueue", func(t *testing.T) {
		// Each reply is one email.send job, enqueued by whichever instance
		// took the request and claimed by whichever runner is free.
		const replies = 24
		for i := range replies {
			if code, cm := c.api("POST", fmt.Sprintf("/api/v1/tickets/%d/comments", mailTicket), erikTok, -1,
				map[string]any{"body": fmt.Sprintf("Svar scale-reply-%02d", i), "public": true}); code != 201 {
				t.Fatalf("reply %d: %d %v", i, code, cm)
			}
		}
		seen := func() map[string]int {
			out := map[string]int{}
			for _, m := range capture.Messages() {
				// Once per message: its text and HTML parts both quote it.
				in := map[string]bool{}
				for _, id := range regexp.MustCompile(`scale-reply-\d\d`).FindAll(m.Data, -1) {
					in[string(id)] = true
				}
				for id := range in {
					out[id]++
				}
			}
			return out
		}
		deadline := time.Now().Add(30 * time.Second)
		for len(seen()) < replies && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(1500 * time.Millisecond) // a duplicate would arrive now
		got := seen()
		for i := range replies {
			if n := got[fmt.Sprintf("scale-reply-%02d", i)]; n != 1 {
				t.Errorf("reply %d mailed %d times", i, n)
			}
		}
		var owners int
		if err := c.db.QueryRowContext(context.Background(), `SELECT COUNT(DISTINCT lease_owner) FROM jobs WHERE kind = 'email.send'`).Scan(&owners); err != nil {
			t.Fatal(err)
		}
		t.Logf("email.send jobs ran on %d instance(s)", owners)
	})

	soak(t, c, soakConfig{tokens: []string{ingridTok, erikTok, admin}, sessions: []*session{ingrid, erik}, capture: capture})

	t.Run("presence outlives its TTL across instances", func(t *testing.T) {
		if d := time.Since(presenceSince); d <= live.PresenceTTL {
			t.Fatalf("only %v since the streams opened; the soak must outlast live.PresenceTTL (%v)", d, live.PresenceTTL)
		}
		ada := c.mustSignIn("admin@ombud.test")
		st, err := ada.stream(fmt.Sprint("/live?ticket=", presenceTicket), 2)
		if err != nil {
			t.Fatal(err)
		}
		defer st.cancel()
		e := st.wait(t, "viewers on C", 5*time.Second, func(e sseEvent) bool { return e.name == "viewers" })
		names := strings.Join(viewerNames(e), ",")
		if !strings.Contains(names, "Ingrid Haugen:") || !strings.Contains(names, "Erik Lund:") {
			t.Errorf("instance C lists %q after %v, want Ingrid (on A) and Erik (on B)", names, time.Since(presenceSince).Round(time.Second))
		}
	})

	t.Run("recurring jobs run once per slot, not once per instance", func(t *testing.T) {
		elapsed := time.Since(c.start)
		rows, err := c.db.QueryContext(context.Background(), `SELECT split_part(idem_key, '@', 1), COUNT(*), COALESCE(SUM(attempts), 0),
				COUNT(DISTINCT lease_owner) FROM jobs WHERE kind = 'periodic' GROUP BY 1 ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		found := map[string]int64{}
		for rows.Next() {
			var name string
			var slots, runs, owners int64
			if err := rows.Scan(&name, &slots, &runs, &owners); err != nil {
				t.Fatal(err)
			}
			found[name] = runs
			t.Logf("%s: %d slots, %d runs, on %d instance(s)", name, slots, runs, owners)
			if runs > slots {
				t.Errorf("%s ran %d times in %d slots", name, runs, slots)
			}
		}
		// The report refresher's slots are 5 s: one run each, not three.
		if most := int64(elapsed/(5*time.Second)) + 2; found["report.refresh"] > most || found["report.refresh"] < most/2 {
			t.Errorf("report.refresh ran %d times in %v, want at most %d (and not far fewer)", found["report.refresh"], elapsed.Round(time.Second), most)
		}
	})

	erikWatch.cancel()
	ingridWatch.cancel()
	c.stop()
	t.Run("no instance logged an error", func(t *testing.T) {
		for _, in := range c.inst {
			var warn []string
			for _, line := range strings.Split(in.logs.String(), "\n") {
				switch {
				case strings.Contains(line, "level=ERROR"):
					t.Errorf("instance %s: %s", in.name, line)
				case strings.Contains(line, "level=WARN"):
					warn = append(warn, line)
				}
			}
			if len(warn) > 0 {
				t.Logf("instance %s: %d warnings, first: %s", in.name, len(warn), warn[0])
			}
		}
		if n := c.proxyErrors.Load(); n != 0 {
			t.Errorf("the proxy failed %d requests", n)
		}
		t.Logf("requests per instance: A %d, B %d, C %d", c.hits[0].Load(), c.hits[1].Load(), c.hits[2].Load())
	})
}

// mailMessage is a plain customer mail.
func mailMessage(from, subject, msgID string) []byte {
	return []byte("From: Kunde <" + from + ">\r\nTo: support@example.com\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + msgID + ">\r\nDate: " + time.Now().Format(time.RFC1123Z) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHei, pakken min er ikke kommet.\r\n")
}

// messageIDs counts the Message-IDs of captured mail: a job that ran twice
// would mail the same message twice.
func messageIDs(c *mailtest.Capture) (map[string]int, int) {
	out := map[string]int{}
	total := 0
	for _, m := range c.Messages() {
		total++
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			continue
		}
		out[msg.Header.Get("Message-Id")+" "+strings.Join(m.To, ",")]++
	}
	return out, total
}
