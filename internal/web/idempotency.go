package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"

	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
)

// Idempotency-Key on POST routes of the API (docs/api.md): a client that
// lost the answer to a create can send the request again with the same key
// and gets the first answer, not a second ticket. Keys belong to the agent
// the credential acts for and are kept for a day.
const (
	idempotencyTTL     = 24 * time.Hour
	idempotencyRunning = 5 * time.Minute // a first request still "running" after this was cut off
	idempotencyMaxBody = 1 << 20         // answers larger than this are not kept
	idempotencyMaxKey  = 255
)

// idempotencyKey returns the request's key, "" when it sent none.
func idempotencyKey(r *http.Request) (string, error) {
	vals := r.Header.Values("Idempotency-Key")
	if len(vals) == 0 {
		return "", nil
	}
	k := vals[0]
	if len(vals) > 1 || k == "" || len(k) > idempotencyMaxKey {
		return "", apperr.InvalidField("Idempotency-Key", fmt.Sprintf("send one key of 1 to %d visible ASCII characters (a UUID is usual)", idempotencyMaxKey))
	}
	for i := 0; i < len(k); i++ {
		if k[i] <= ' ' || k[i] > '~' {
			return "", apperr.InvalidField("Idempotency-Key", fmt.Sprintf("send one key of 1 to %d visible ASCII characters (a UUID is usual)", idempotencyMaxKey))
		}
	}
	return k, nil
}

// storedAnswer is a kept first answer.
type storedAnswer struct {
	hash, contentType, location, body string
	status                            int
	created                           int64
}

// idempotent runs handle once per (agent, key): the first request runs and
// its answer is kept; a retry with the same request gets that answer back
// with Idempotent-Replayed: true; the same key on another request is a
// 422, and a retry while the first still runs is a 409.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, agentID int64, key string, handle func(http.ResponseWriter, *http.Request)) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the body is larger than %d bytes", mbe.Limit)}
		}
		return apperr.InvalidField("body", "could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	sum := sha256.New()
	fmt.Fprintf(sum, "%s %s\n%s\n", r.Method, r.URL.RequestURI(), r.Header.Get("Content-Type"))
	sum.Write(body)
	hash := hex.EncodeToString(sum.Sum(nil))

	ctx := context.WithoutCancel(r.Context())
	now := time.Now()
	var prior *storedAnswer
	err = s.DB.Write(ctx, func(tx *db.Tx) error {
		prior = nil
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (agent_id, idem_key, request_hash, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (agent_id, idem_key) DO NOTHING`, agentID, key, hash, db.Millis(now))
		if err != nil {
			return fmt.Errorf("idempotency: claim: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var a storedAnswer
		err = tx.QueryRowContext(ctx, `SELECT request_hash, status, content_type, location, body, created_at
			FROM idempotency_keys WHERE agent_id = ? AND idem_key = ?`, agentID, key).
			Scan(&a.hash, &a.status, &a.contentType, &a.location, &a.body, &a.created)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("idempotency: key vanished between claim and read")
		} else if err != nil {
			return fmt.Errorf("idempotency: read: %w", err)
		}
		age := now.Sub(db.Time(a.created))
		if age > idempotencyTTL || (a.status == 0 && age > idempotencyRunning) {
			// Expired, or the first request died without an answer: this
			// request takes the key over.
			_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET request_hash = ?, status = 0, content_type = '', location = '', body = '', created_at = ?
				WHERE agent_id = ? AND idem_key = ?`, hash, db.Millis(now), agentID, key)
			if err != nil {
				return fmt.Errorf("idempotency: take over: %w", err)
			}
			return nil
		}
		prior = &a
		return nil
	})
	if err != nil {
		return err
	}
	if prior != nil {
		switch {
		case prior.hash != hash:
			return apperr.Unprocessable("Idempotency-Key", "was used for a different request; use a new key for each request")
		case prior.status == 0:
			return apperr.Conflict("Idempotency-Key", "a request with this key is still running; retry in a moment")
		}
		h := w.Header()
		if prior.contentType != "" {
			h.Set("Content-Type", prior.contentType)
		}
		if prior.location != "" {
			h.Set("Location", prior.location)
		}
		h.Set("Idempotent-Replayed", "true")
		w.WriteHeader(prior.status)
		_, _ = io.WriteString(w, prior.body)
		return nil
	}

	rec := &answerRecorder{ResponseWriter: w}
	handle(rec, r)
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	keep := status < 500 && status != http.StatusConflict && status != http.StatusTooManyRequests && !rec.overflow
	err = s.DB.Write(ctx, func(tx *db.Tx) error {
		if !keep {
			// Not an answer worth repeating: a retry runs again.
			_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE agent_id = ? AND idem_key = ?`, agentID, key)
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, content_type = ?, location = ?, body = ?
			WHERE agent_id = ? AND idem_key = ?`, status, rec.Header().Get("Content-Type"), rec.Header().Get("Location"), rec.buf.String(), agentID, key)
		return err
	})
	if err != nil {
		s.Log.Warn("idempotency: keep answer", "err", err)
	}
	s.sweepIdempotency(ctx, now)
	return nil
}

// sweepIdempotency deletes expired keys, at most every ten minutes.
func (s *Server) sweepIdempotency(ctx context.Context, now time.Time) {
	last := s.idemSwept.Load()
	if now.UnixMilli()-last < (10*time.Minute).Milliseconds() || !s.idemSwept.CompareAndSwap(last, now.UnixMilli()) {
		return
	}
	err := s.DB.Write(ctx, func(tx *db.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < ?`, db.Millis(now.Add(-idempotencyTTL)))
		return err
	})
	if err != nil {
		s.Log.Warn("idempotency: sweep", "err", err)
	}
}

// answerRecorder passes an answer through and keeps a copy of it.
type answerRecorder struct {
	http.ResponseWriter
	status   int
	buf      bytes.Buffer
	overflow bool
}

func (a *answerRecorder) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
	a.ResponseWriter.WriteHeader(code)
}

func (a *answerRecorder) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	if !a.overflow {
		if a.buf.Len()+len(p) > idempotencyMaxBody {
			a.overflow = true
			a.buf.Reset()
		} else {
			a.buf.Write(p)
		}
	}
	return a.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (flushes).
func (a *answerRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }
