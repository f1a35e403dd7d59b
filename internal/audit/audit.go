// Package audit records who did what outside the ticket event log: sign-ins,
// agent and role changes, tokens, settings, imports, exports. Rows are
// written in the transaction of the change they describe; the request's
// client address and user agent come from the context (WithRequest), so
// services need not pass them along.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// maxUserAgent bounds the stored User-Agent: enough to tell browsers and
// scripts apart, not a place to store whatever a client sends.
const maxUserAgent = 160

type requestKey struct{}

// Request is what an audit row says about the HTTP request behind it.
type Request struct {
	IP        string
	UserAgent string
}

// WithRequest stores the client's address (as resolved through the
// trusted proxies) and user agent for every row written under ctx.
func WithRequest(ctx context.Context, ip, userAgent string) context.Context {
	return context.WithValue(ctx, requestKey{}, Request{IP: ip, UserAgent: shorten(userAgent, maxUserAgent)})
}

// RequestOf returns the request stored by WithRequest (zero outside one).
func RequestOf(ctx context.Context) Request {
	r, _ := ctx.Value(requestKey{}).(Request)
	return r
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// Change is the conventional shape of a settings change's data:
// {"before": …, "after": …}; either side is nil for a create or delete.
// Secret fields are redacted on the way in (Redact).
func Change(before, after any) map[string]any {
	return map[string]any{"before": before, "after": after}
}

// Record appends one audit row inside tx. Data is redacted (no passwords,
// tokens, secrets or credential URLs) before it is stored.
func Record(ctx context.Context, tx *db.Tx, at time.Time, actor authz.Actor, action, target string, data map[string]any) error {
	b := []byte("{}")
	if len(data) > 0 {
		clean, err := Redact(data)
		if err != nil {
			return fmt.Errorf("audit: encode %s: %w", action, err)
		}
		if b, err = json.Marshal(clean); err != nil {
			return fmt.Errorf("audit: encode %s: %w", action, err)
		}
	}
	req := RequestOf(ctx)
	if ip, ok := data["ip"].(string); ok && req.IP == "" {
		req.IP = ip // callers outside a request (CLI, tests) that name the address
	}
	name := actor.Name
	if actor.Kind == authz.KindSystem && name == "" {
		name = authz.System.Name
	}
	// The name is a snapshot: a renamed or removed agent's rows keep the
	// name they acted under. Actors built from an id alone (a failed
	// sign-in) take it from the agents table.
	_, err := tx.ExecContext(ctx,
		`INSERT INTO audit_log (at, actor_id, action, target, data, ip, user_agent, actor_name)
		 VALUES (?, ?, ?, ?, ?, ?, ?, COALESCE(NULLIF(?, ''), (SELECT name FROM agents WHERE id = ?), ''))`,
		db.Millis(at), db.NullInt(actor.ID), action, shorten(target, 300), string(b), shorten(req.IP, 64), req.UserAgent,
		shorten(name, 200), actor.ID)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", action, err)
	}
	return nil
}

// Entry is one audit row.
type Entry struct {
	ID        int64          `json:"id"`
	At        time.Time      `json:"at"`
	ActorID   int64          `json:"actor_id,omitempty"`
	ActorName string         `json:"actor_name"`
	Action    string         `json:"action"`
	Target    string         `json:"target"`
	IP        string         `json:"ip"`
	UserAgent string         `json:"user_agent"`
	Data      map[string]any `json:"data"`
}

// List returns the newest entries first, at most limit.
func List(ctx context.Context, q db.Querier, limit int) ([]Entry, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+columns+` FROM audit_log ORDER BY at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	return scanAll(rows)
}

// JobRetried is the record hook of jobs.Retry for a person's retry of a
// dead job: the row names the job and its kind, and says it went from dead
// back to the queue. The payload is not logged (it may name customers).
func JobRetried(ctx context.Context, at time.Time, actor authz.Actor) func(*db.Tx, jobs.Job) error {
	return func(tx *db.Tx, j jobs.Job) error {
		return Record(ctx, tx, at, actor, "job.retry", fmt.Sprintf("job:%d %s", j.ID, j.Kind),
			Change(map[string]any{"state": "dead", "kind": j.Kind}, map[string]any{"state": j.State, "kind": j.Kind, "attempts": j.Attempts}))
	}
}
