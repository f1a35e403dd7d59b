package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Result counts what an erasure changed. It names no personal data: it is
// what the audit row records.
type Result struct {
	CustomerID  int64 `json:"customer_id"`
	Mode        Mode  `json:"mode"`
	Tickets     int   `json:"tickets"`
	Comments    int   `json:"comments"`
	Attachments int   `json:"attachments"`
	Messages    int   `json:"messages"`
	Drafts      int   `json:"drafts"`
	Events      int   `json:"events"`
	Blobs       int   `json:"blobs"`
	Jobs        int   `json:"jobs"`
	// Rows elsewhere (other tickets, notes, audit, delivery state) whose
	// mention of the customer's addresses was erased.
	Rows int `json:"rows"`
	// CustomerDeleted: the customer row is gone (delete mode, when nothing
	// else refers to it); otherwise it stays as an anonymous placeholder.
	CustomerDeleted bool `json:"customer_deleted"`
}

func (r *Result) add(o Result) {
	r.Tickets += o.Tickets
	r.Comments += o.Comments
	r.Attachments += o.Attachments
	r.Messages += o.Messages
	r.Drafts += o.Drafts
	r.Events += o.Events
}

func (r Result) auditData() map[string]any {
	b, _ := json.Marshal(r)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

type person struct {
	id     int64
	name   string
	values []string // identity values
	emails []string
}

func loadPerson(ctx context.Context, q db.Querier, id int64) (person, error) {
	p := person{id: id}
	err := q.QueryRowContext(ctx, `SELECT name FROM customers WHERE id = ?`, id).Scan(&p.name)
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFound("customer", id)
	}
	if err != nil {
		return p, fmt.Errorf("privacy: customer %d: %w", id, err)
	}
	rows, err := q.QueryContext(ctx, `SELECT type, value FROM customer_identities WHERE customer_id = ? ORDER BY id`, id)
	if err != nil {
		return p, fmt.Errorf("privacy: identities %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, v string
		if err := rows.Scan(&typ, &v); err != nil {
			return p, fmt.Errorf("privacy: identities %d: %w", id, err)
		}
		p.values = append(p.values, v)
		if typ == "email" {
			p.emails = append(p.emails, strings.ToLower(v))
		}
	}
	return p, rows.Err()
}

// Erase erases or anonymises customer id everywhere (see docs/privacy.md):
// their tickets (in batches of s.batch per transaction), comments they
// wrote on other tickets, raw mail, attachments and their files, drafts,
// queued and finished jobs, and mentions of their addresses in other rows.
// One audit row "customer_erased" records the ids and counts, no personal
// data. The report facts of the tickets are recomputed.
func (s *Service) Erase(ctx context.Context, actor authz.Actor, id int64, mode Mode) (Result, error) {
	if err := authz.Check(actor, authz.PrivacyManage); err != nil {
		return Result{}, err
	}
	if !mode.Valid() {
		return Result{}, apperr.InvalidField("mode", "must be anonymise or delete")
	}
	p, err := loadPerson(ctx, s.db, id)
	if err != nil {
		return Result{}, err
	}
	res := Result{CustomerID: id, Mode: mode}
	ids := newNeedles(p.values)
	all := ids
	if len([]rune(p.name)) >= 6 && p.name != Erased {
		all = newNeedles(append(append([]string{}, p.values...), p.name))
	}
	var sums []string
	touched := map[int64]bool{}
	outbound := map[int64]bool{}
	// 1. Their tickets, a batch per transaction.
	for after := int64(0); ; {
		batch, err := s.ids(ctx, `SELECT id FROM tickets WHERE requester_id = ? AND id > ? ORDER BY id LIMIT ?`, id, after, s.batch)
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			break
		}
		var got Result
		var bsums []string
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			var err error
			got, bsums, err = s.eraseTickets(ctx, tx, batch, mode, all, outbound)
			return err
		}); err != nil {
			return res, err
		}
		res.add(got)
		sums = append(sums, bsums...)
		for _, t := range batch {
			touched[t] = true
		}
		after = batch[len(batch)-1]
	}
	// 2. What they wrote on other tickets (as a copied participant).
	for after := int64(0); ; {
		batch, err := s.ids(ctx, `SELECT id FROM comments WHERE author_type = 'customer' AND author_id = ? AND body <> ? AND id > ? ORDER BY id LIMIT ?`, id, Erased, after, s.batch*4)
		if err != nil {
			return res, err
		}
		if len(batch) == 0 {
			break
		}
		var got Result
		var bsums []string
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			var err error
			got, bsums, err = eraseComments(ctx, tx, batch)
			return err
		}); err != nil {
			return res, err
		}
		res.add(got)
		sums = append(sums, bsums...)
		after = batch[len(batch)-1]
	}
	// 3. Mail from their addresses that made no ticket (ignored, failed).
	if len(p.emails) > 0 {
		a := make([]any, 0, 2*len(p.emails))
		for _, e := range p.emails {
			a = append(a, e)
		}
		a = append(a, a...)
		q := `SELECT id FROM inbound_messages WHERE lower(from_address) IN ` + in(len(p.emails)) + ` OR lower(envelope_from) IN ` + in(len(p.emails))
		mids, err := s.ids(ctx, q, a...)
		if err != nil {
			return res, err
		}
		for len(mids) > 0 {
			n := min(len(mids), 200)
			chunk := mids[:n]
			mids = mids[n:]
			if err := s.db.Write(ctx, func(tx *db.Tx) error {
				bs, err := shasOf(ctx, tx, `SELECT sha256 FROM inbound_messages WHERE raw IS NULL AND id IN `+in(len(chunk)), args(chunk))
				if err != nil {
					return err
				}
				sums = append(sums, bs...)
				r, err := tx.ExecContext(ctx, `DELETE FROM inbound_messages WHERE id IN `+in(len(chunk)), args(chunk)...)
				if err != nil {
					return fmt.Errorf("privacy: delete mail: %w", err)
				}
				k, _ := r.RowsAffected()
				res.Messages += int(k)
				return nil
			}); err != nil {
				return res, err
			}
		}
	}
	// 4. Mentions of their addresses anywhere else; drafts and jobs.
	n, err := s.sweep(ctx, ids, all)
	if err != nil {
		return res, err
	}
	res.Rows += n
	if res.Drafts, err = s.deleteDrafts(ctx, all, res.Drafts); err != nil {
		return res, err
	}
	if res.Jobs, err = s.sweepJobs(ctx, touched, outbound, all); err != nil {
		return res, err
	}
	replays, err := s.deleteReplays(ctx, id, all)
	if err != nil {
		return res, err
	}
	res.Rows += replays
	hooks, err := s.deleteWebhookDeliveries(ctx, touched, all)
	if err != nil {
		return res, err
	}
	res.Rows += hooks
	// 5. The customer row and the audit record, together.
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		var refs int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM tickets WHERE requester_id = ? UNION ALL
			SELECT 1 FROM comments WHERE author_type = 'customer' AND author_id = ?) r`, id, id).Scan(&refs); err != nil {
			return fmt.Errorf("privacy: customer refs: %w", err)
		}
		res.CustomerDeleted = mode == Delete && refs == 0
		if res.CustomerDeleted {
			if _, err := tx.ExecContext(ctx, `DELETE FROM customers WHERE id = ?`, id); err != nil {
				return fmt.Errorf("privacy: delete customer: %w", err)
			}
		} else {
			if _, err := tx.ExecContext(ctx, `DELETE FROM customer_identities WHERE customer_id = ?`, id); err != nil {
				return fmt.Errorf("privacy: delete identities: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customers SET name = ?, notes = '', locale = '', time_zone = '', organization_id = NULL, updated_at = ? WHERE id = ?`,
				Erased, db.Millis(s.now()), id); err != nil {
				return fmt.Errorf("privacy: anonymise customer: %w", err)
			}
		}
		// Survey answers keep their scores (the CSAT and NPS figures stay
		// true) but not the customer's words, nor the topics read from
		// them.
		for _, q := range []struct {
			what, sql string
			args      []any
		}{
			{"forget survey topics", `DELETE FROM feedback_tags WHERE (source = 'csat' AND item_id IN (SELECT id FROM csat_surveys WHERE customer_id = ?))
				OR (source = 'nps' AND item_id IN (SELECT id FROM nps_sends WHERE customer_id = ?))`, []any{id, id}},
			{"erase survey comments", `UPDATE csat_surveys SET comment = '' WHERE customer_id = ?`, []any{id}},
			{"erase NPS reasons", `UPDATE nps_sends SET reason = '' WHERE customer_id = ?`, []any{id}},
		} {
			n, err := exec(ctx, tx, q.what, q.sql, q.args)
			if err != nil {
				return err
			}
			res.Rows += n
		}
		// The audit rows of changes made to the customer keep who did
		// what and when, but not what their details were: names and
		// addresses they had before are not among the sweep's needles.
		n, err := exec(ctx, tx, "erase audit rows", `UPDATE audit_log SET data = ? WHERE target = ? AND action LIKE 'customer.%'`,
			[]any{`{"erased":true}`, fmt.Sprintf("customer:%d", id)})
		if err != nil {
			return err
		}
		res.Rows += n
		return audit.Record(ctx, tx, s.now(), actor, "customer_erased", fmt.Sprintf("customer:%d", id), res.auditData())
	})
	if err != nil {
		return res, err
	}
	res.Blobs = s.removeBlobs(ctx, sums)
	s.refreshReports(ctx)
	s.log.Info("customer erased", "customer", id, "mode", mode, "tickets", res.Tickets)
	return res, nil
}

func (s *Service) refreshReports(ctx context.Context) {
	if s.reports == nil {
		return
	}
	if _, err := s.reports.Refresh(ctx); err != nil {
		// The periodic refresher picks the dirty tickets up again.
		s.log.Warn("privacy: report refresh", "err", err)
	}
}

func (s *Service) ids(ctx context.Context, q string, a ...any) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("privacy: ids: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("privacy: ids: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func shasOf(ctx context.Context, tx *db.Tx, q string, a []any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("privacy: blobs: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("privacy: blobs: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func exec(ctx context.Context, tx *db.Tx, what, q string, a []any) (int, error) {
	r, err := tx.ExecContext(ctx, q, a...)
	if err != nil {
		return 0, fmt.Errorf("privacy: %s: %w", what, err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// eraseTickets erases one batch of tickets inside tx and returns the
// counts and the blobs (attachments, large raw mail) no longer needed by
// these rows. outbound collects their outbound mail ids (queued send jobs
// refer to them).
func (s *Service) eraseTickets(ctx context.Context, tx *db.Tx, ids []int64, mode Mode, n needles, outbound map[int64]bool) (Result, []string, error) {
	var r Result
	r.Tickets = len(ids)
	a := args(ids)
	list := in(len(ids))
	comments := `SELECT id FROM comments WHERE ticket_id IN ` + list
	sums, err := shasOf(ctx, tx, `SELECT sha256 FROM attachments WHERE comment_id IN (`+comments+`)`, a)
	if err != nil {
		return r, nil, err
	}
	raw, err := shasOf(ctx, tx, `SELECT sha256 FROM inbound_messages WHERE raw IS NULL AND (ticket_id IN `+list+` OR comment_id IN (`+comments+`))`, append(a, a...))
	if err != nil {
		return r, nil, err
	}
	sums = append(sums, raw...)
	obs, err := shasOf(ctx, tx, `SELECT CAST(id AS TEXT) FROM outbound_emails WHERE ticket_id IN `+list, a)
	if err != nil {
		return r, nil, err
	}
	for _, o := range obs {
		var id int64
		fmt.Sscan(o, &id)
		outbound[id] = true
	}
	if r.Messages, err = exec(ctx, tx, "delete mail", `DELETE FROM inbound_messages WHERE ticket_id IN `+list+` OR comment_id IN (`+comments+`)`, append(a, a...)); err != nil {
		return r, nil, err
	}
	if r.Attachments, err = exec(ctx, tx, "delete attachments", `DELETE FROM attachments WHERE comment_id IN (`+comments+`)`, a); err != nil {
		return r, nil, err
	}
	if r.Drafts, err = exec(ctx, tx, "delete drafts", `DELETE FROM drafts WHERE ticket_id IN `+list, a); err != nil {
		return r, nil, err
	}
	// Report facts follow the event log: mark the tickets for the refresher
	// (a deleted ticket's facts are dropped, an anonymised one's kept).
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_dirty (ticket_id, gen) VALUES (?, 1)
			ON CONFLICT (ticket_id) DO UPDATE SET gen = report_dirty.gen + 1`, id); err != nil {
			return r, nil, fmt.Errorf("privacy: mark %d: %w", id, err)
		}
	}
	if mode == Delete {
		if _, err := exec(ctx, tx, "unmerge", `UPDATE tickets SET merged_into_id = NULL WHERE merged_into_id IN `+list+` AND id NOT IN `+list, append(a, a...)); err != nil {
			return r, nil, err
		}
		if r.Comments, err = exec(ctx, tx, "count comments", `DELETE FROM comments WHERE ticket_id IN `+list, a); err != nil {
			return r, nil, err
		}
		if r.Events, err = exec(ctx, tx, "delete events", `DELETE FROM ticket_events WHERE ticket_id IN `+list, a); err != nil {
			return r, nil, err
		}
		if _, err := exec(ctx, tx, "delete tickets", `DELETE FROM tickets WHERE id IN `+list, a); err != nil {
			return r, nil, err
		}
		return r, sums, nil
	}
	now := db.Millis(s.now())
	if r.Comments, err = exec(ctx, tx, "erase comments", `UPDATE comments SET body = ?, html = '' WHERE ticket_id IN `+list, append([]any{Erased}, a...)); err != nil {
		return r, nil, err
	}
	if _, err := exec(ctx, tx, "erase tickets", `UPDATE tickets SET subject = ?, custom_fields = '{}', external_id = NULL, erased_at = ? WHERE id IN `+list, append([]any{Erased, now}, a...)); err != nil {
		return r, nil, err
	}
	for _, q := range []string{
		`DELETE FROM email_threads WHERE ticket_id IN ` + list,
		`UPDATE email_tickets SET cc = '[]' WHERE ticket_id IN ` + list,
		`UPDATE outbound_emails SET recipients = '[]', last_error = '' WHERE ticket_id IN ` + list,
		`UPDATE automation_runs SET actions = '[]', error = '' WHERE ticket_id IN ` + list,
	} {
		if _, err := exec(ctx, tx, "erase ticket rows", q, a); err != nil {
			return r, nil, err
		}
	}
	type ev struct {
		id        int64
		typ, data string
	}
	var evs []ev
	rows, err := tx.QueryContext(ctx, `SELECT id, type, CAST(data AS TEXT) FROM ticket_events WHERE ticket_id IN `+list, a...)
	if err != nil {
		return r, nil, fmt.Errorf("privacy: events: %w", err)
	}
	for rows.Next() {
		var e ev
		if err := rows.Scan(&e.id, &e.typ, &e.data); err != nil {
			rows.Close()
			return r, nil, fmt.Errorf("privacy: events: %w", err)
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, nil, fmt.Errorf("privacy: events: %w", err)
	}
	for _, e := range evs {
		if out := scrubEvent(e.typ, e.data, n); out != e.data {
			if _, err := tx.ExecContext(ctx, `UPDATE ticket_events SET data = ? WHERE id = ?`, out, e.id); err != nil {
				return r, nil, fmt.Errorf("privacy: scrub event %d: %w", e.id, err)
			}
			r.Events++
		}
	}
	return r, sums, nil
}

// eraseComments erases comments the customer wrote on other people's
// tickets: the text, the files and the mail they came in.
func eraseComments(ctx context.Context, tx *db.Tx, ids []int64) (Result, []string, error) {
	var r Result
	a := args(ids)
	list := in(len(ids))
	sums, err := shasOf(ctx, tx, `SELECT sha256 FROM attachments WHERE comment_id IN `+list, a)
	if err != nil {
		return r, nil, err
	}
	raw, err := shasOf(ctx, tx, `SELECT sha256 FROM inbound_messages WHERE raw IS NULL AND comment_id IN `+list, a)
	if err != nil {
		return r, nil, err
	}
	sums = append(sums, raw...)
	if r.Messages, err = exec(ctx, tx, "delete mail", `DELETE FROM inbound_messages WHERE comment_id IN `+list, a); err != nil {
		return r, nil, err
	}
	if r.Attachments, err = exec(ctx, tx, "delete attachments", `DELETE FROM attachments WHERE comment_id IN `+list, a); err != nil {
		return r, nil, err
	}
	if _, err := exec(ctx, tx, "forget threads", `DELETE FROM email_threads WHERE comment_id IN `+list, a); err != nil {
		return r, nil, err
	}
	if r.Comments, err = exec(ctx, tx, "erase comments", `UPDATE comments SET body = ?, html = '' WHERE id IN `+list, append([]any{Erased}, a...)); err != nil {
		return r, nil, err
	}
	return r, sums, nil
}

// removeBlobs deletes the files no row refers to any more and returns how
// many it removed. A failure is logged: the rows are gone already.
func (s *Service) removeBlobs(ctx context.Context, sums []string) int {
	if s.blobs == nil {
		return 0
	}
	seen := map[string]bool{}
	n := 0
	for _, sum := range sums {
		if sum == "" || seen[sum] {
			continue
		}
		seen[sum] = true
		var refs int
		if err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM attachments WHERE sha256 = ?) + (SELECT COUNT(*) FROM inbound_messages WHERE sha256 = ?)`, sum, sum).Scan(&refs); err != nil {
			s.log.Warn("privacy: blob refs", "err", err)
			continue
		}
		if refs > 0 {
			continue
		}
		if err := s.blobs.Remove(sum); err != nil {
			s.log.Warn("privacy: remove blob", "err", err)
			continue
		}
		n++
	}
	return n
}
