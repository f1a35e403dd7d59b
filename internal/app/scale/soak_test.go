package scale_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/mailtest"
)

// defaultSoak keeps CI's run short; OMBUD_SOAK=10m runs the long soak
// (docs/scaling.md records its result). It must outlast live.PresenceTTL.
const defaultSoak = 45 * time.Second

type soakConfig struct {
	tokens   []string   // one API worker each
	sessions []*session // one browser worker each
	capture  *mailtest.Capture
}

// soakRecorder counts operations and keeps the first few failures.
type soakRecorder struct {
	ops, errs atomic.Int64
	mu        sync.Mutex
	first     []string
}

func (r *soakRecorder) check(what string, st int, err error, want ...int) bool {
	r.ops.Add(1)
	if err == nil {
		for _, w := range want {
			if st == w {
				return true
			}
		}
		err = fmt.Errorf("status %d", st)
	}
	r.errs.Add(1)
	r.mu.Lock()
	if len(r.first) < 10 {
		r.first = append(r.first, what+": "+err.Error())
	}
	r.mu.Unlock()
	return false
}

// rssSample is one reading of an instance's resident memory.
type rssSample struct {
	at  time.Duration
	kib int64
}

// soak holds a steady mixed load on the cluster: API workers create,
// read, update, comment on and search tickets; browser workers open lists
// and tickets and add notes; a mail worker sends to both SMTP listeners
// (some mails to both); a list stream on every instance follows it all.
// No request may fail, and each instance's RSS must stay flat.
func soak(t *testing.T, c *cluster, cfg soakConfig) {
	d := defaultSoak
	if v := os.Getenv("OMBUD_SOAK"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < 10*time.Second {
			t.Fatalf("OMBUD_SOAK=%q: want a duration of at least 10s", v)
		}
	}
	t.Run(fmt.Sprintf("soak %v", d), func(t *testing.T) {
		var rec soakRecorder
		var created, mails, mailsTwice atomic.Int64
		var lastTicket atomic.Int64
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		begin := time.Now()

		var streams []*stream
		var streamTickets [3]atomic.Int64
		for i := range c.inst {
			st, err := cfg.sessions[0].stream("/live", i)
			if err != nil {
				t.Fatal(err)
			}
			defer st.cancel()
			streams = append(streams, st)
			go func() {
				for e := range st.events {
					if e.name == "ticket" {
						streamTickets[i].Add(1)
					}
				}
			}()
		}

		var wg sync.WaitGroup
		for w, tok := range cfg.tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					apiRound(ctx, c, &rec, tok, w, n, &created, &lastTicket)
					pause(ctx, 25*time.Millisecond)
				}
			}()
		}
		for w, s := range cfg.sessions {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ctx.Err() == nil; n++ {
					browserRound(ctx, &rec, s, w, n, lastTicket.Load())
					pause(ctx, 50*time.Millisecond)
				}
			}()
		}
		wg.Add(1)
		go func() { // mail: alternately to A and B, every fifth to both
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				from := fmt.Sprintf("soak%d@mail.example", n) // a sender each: the hourly per-sender limit stays out of it
				raw := mailMessage(from, fmt.Sprintf("Soak mail %d", n), fmt.Sprintf("soak-%d@mail.example", n))
				targets := []*instance{c.inst[n%2]}
				if n%5 == 4 {
					targets = c.inst[:2]
					mailsTwice.Add(1)
				}
				for _, in := range targets {
					rec.check("smtp to "+in.name, 0, smtp.SendMail(in.smtp, nil, from, []string{"support@example.com"}, raw), 0)
				}
				mails.Add(1)
				pause(ctx, 400*time.Millisecond)
			}
		}()

		samples := make([][]rssSample, len(c.inst))
		every := max(d/60, time.Second)
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				for i, in := range c.inst {
					kib, err := in.rssKiB()
					if rec.check("rss of "+in.name, 0, err, 0) {
						samples[i] = append(samples[i], rssSample{time.Since(begin), kib})
					}
				}
				select {
				case <-ctx.Done():
					return
				case <-tick.C:
				}
			}
		}()
		wg.Wait()

		t.Logf("%d operations, %d errors; %d tickets by API, %d mails (%d to both listeners); stream events on A/B/C: %d/%d/%d",
			rec.ops.Load(), rec.errs.Load(), created.Load(), mails.Load(), mailsTwice.Load(),
			streamTickets[0].Load(), streamTickets[1].Load(), streamTickets[2].Load())
		if n := rec.errs.Load(); n > 0 {
			t.Errorf("%d failed operations; first: %s", n, strings.Join(rec.first, "; "))
		}
		for i, st := range streams {
			select {
			case err := <-st.ended:
				t.Errorf("instance %s's stream ended during the soak: %v", c.inst[i].name, err)
			default:
			}
			if streamTickets[i].Load() == 0 {
				t.Errorf("instance %s's stream saw no ticket change", c.inst[i].name)
			}
		}

		// Everything that was accepted is there, once.
		if got := c.count(`SELECT COUNT(*) FROM tickets WHERE subject LIKE 'Soak ticket %'`); got != created.Load() {
			t.Errorf("%d API tickets answered 201, %d stored", created.Load(), got)
		}
		if got := c.count(`SELECT COUNT(*) FROM tickets WHERE subject LIKE 'Soak mail %'`); got != mails.Load() {
			t.Errorf("%d distinct mails accepted, %d tickets from them", mails.Load(), got)
		}
		// Then the queue drains, each job having run once.
		deadline := time.Now().Add(60 * time.Second)
		for c.count(`SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running') AND kind <> 'periodic' AND run_at <= ?`, time.Now().UnixMilli()) > 0 {
			if time.Now().After(deadline) {
				t.Fatal("the job queue did not drain within 60 s after the soak")
			}
			time.Sleep(200 * time.Millisecond)
		}
		if n := c.count(`SELECT COUNT(*) FROM jobs WHERE state = 'dead' OR attempts > 1`); n > 0 {
			t.Errorf("%d jobs dead or run more than once", n)
		}
		time.Sleep(time.Second) // a late duplicate send would land now
		ids, total := messageIDs(cfg.capture)
		for id, n := range ids {
			if n > 1 {
				t.Errorf("message %s delivered %d times", id, n)
			}
		}
		t.Logf("%d outbound mails captured, all distinct", total)

		checkFlat(t, c, samples, d)
	})
}

// checkFlat compares each instance's memory after warm-up (the second
// quarter of the soak) with its last quarter.
func checkFlat(t *testing.T, c *cluster, samples [][]rssSample, d time.Duration) {
	t.Helper()
	peak := func(s []rssSample, from, to time.Duration) int64 {
		var m int64
		for _, x := range s {
			if x.at >= from && x.at <= to {
				m = max(m, x.kib)
			}
		}
		return m
	}
	for i, s := range samples {
		if len(s) < 8 {
			t.Errorf("instance %s: only %d memory samples", c.inst[i].name, len(s))
			continue
		}
		first := s[0].kib
		warm := peak(s, d/4, d/2)
		last := peak(s, d*3/4, d+time.Minute)
		// Flat: allowed a quarter more than after warm-up, and at least
		// 24 MiB of slack, since a GC cycle on a small heap is noisy.
		limit := warm + max(warm/4, 24<<10)
		t.Logf("instance %s RSS: start %d MiB, after warm-up %d MiB, last quarter peak %d MiB (limit %d MiB), %d samples",
			c.inst[i].name, first>>10, warm>>10, last>>10, limit>>10, len(s))
		if warm == 0 || last > limit {
			t.Errorf("instance %s: memory grew from %d KiB to %d KiB", c.inst[i].name, warm, last)
		}
	}
}

func pause(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// apiRound is one API worker's cycle on a new ticket.
func apiRound(ctx context.Context, c *cluster, rec *soakRecorder, tok string, w, n int, created, last *atomic.Int64) {
	do := func(method, path string, body any) (int, map[string]any, error) {
		st, raw, err := c.do(context.WithoutCancel(ctx), c.client, call{method: method, path: path, pin: -1, token: tok, json: body})
		out := map[string]any{}
		_ = json.Unmarshal(raw, &out)
		return st, out, err
	}
	st, tk, err := do("POST", "/api/v1/tickets", map[string]any{
		"subject": fmt.Sprintf("Soak ticket %d-%d", w, n), "description": "Bestilling 4711 er forsinket.",
		"requester": map[string]string{"email": fmt.Sprintf("soak%d-%d@api.example", w, n), "name": "Soak Kunde"},
	})
	if !rec.check("create ticket", st, err, 201) {
		return
	}
	created.Add(1)
	id := int64(tk["id"].(float64))
	last.Store(id)
	steps := []struct {
		what, method, path string
		body               any
		want               int
	}{
		{"get ticket", "GET", fmt.Sprint("/api/v1/tickets/", id), nil, 200},
		{"update ticket", "PATCH", fmt.Sprint("/api/v1/tickets/", id), map[string]any{"priority": "high"}, 200},
		{"add note", "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), map[string]any{"body": "Intern merknad", "public": false}, 201},
		{"search", "GET", "/api/v1/search?limit=10&q=" + url.QueryEscape("status:open Bestilling"), nil, 200},
	}
	if n%4 == 3 { // a public reply: mailed to the requester by a job
		steps = append(steps, struct {
			what, method, path string
			body               any
			want               int
		}{"reply", "POST", fmt.Sprintf("/api/v1/tickets/%d/comments", id), map[string]any{"body": "Vi ser på saken.", "public": true}, 201})
	}
	for _, s := range steps {
		st, _, err := do(s.method, s.path, s.body)
		rec.check(s.what, st, err, s.want)
	}
}

// browserRound is one browser worker's cycle: the list, a ticket, a note.
func browserRound(ctx context.Context, rec *soakRecorder, s *session, w, n int, ticket int64) {
	// Requests finish even when the soak ends under them: every answer counts.
	rctx := context.WithoutCancel(ctx)
	st, _, err := s.do(rctx, "GET", "/tickets", -1, nil)
	if !rec.check("ticket list", st, err, 200) || ticket == 0 {
		return
	}
	st, _, err = s.do(rctx, "GET", fmt.Sprint("/tickets/", ticket), -1, nil)
	if !rec.check("ticket page", st, err, 200) {
		return
	}
	st, _, err = s.do(rctx, "POST", fmt.Sprintf("/tickets/%d/comments", ticket), -1, url.Values{"body": {fmt.Sprintf("Notat %d-%d", w, n)}, "public": {"false"}})
	rec.check("note from the page", st, err, 303)
}
