package report

import (
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// NPS facts. An NPS survey belongs to no ticket, so its facts are kept
// under ticket 0 with the send's id as their ordinal: one nps_sent fact
// per send (dated at the send) and one nps fact per answered send (dated at
// its latest answer). The send row is the survey's record: the NPS service
// marks it dirty in the transaction that sends or answers it, and the
// refresher derives its facts exactly as it does a ticket's.

// NPSSend marks an NPS send's facts stale inside the transaction that
// wrote it (the nps service calls it when it sends or records an answer).
func (s *Service) NPSSend(ctx context.Context, tx *db.Tx, sendID int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO report_dirty_nps (send_id, gen) VALUES (?, 1)
		ON CONFLICT (send_id) DO UPDATE SET gen = report_dirty_nps.gen + 1`, sendID); err != nil {
		return fmt.Errorf("report: mark nps send %d: %w", sendID, err)
	}
	return nil
}

// NPSSendState is what facts need of one send.
type NPSSendState struct {
	ID             int64
	OrganizationID int64
	Language       string
	SentAt         time.Time
	Score          int64 // −1: not answered
	AnsweredAt     time.Time
}

// NPSCategory is +1 for a promoter (9–10), 0 for a passive (7–8) and −1
// for a detractor (0–6).
func NPSCategory(score int64) int64 {
	switch {
	case score >= 9:
		return 1
	case score >= 7:
		return 0
	}
	return -1
}

// ComputeNPS derives a send's facts: pure, as Compute is.
func ComputeNPS(s NPSSendState) []Fact {
	d := Dims{OrganizationID: s.OrganizationID, Language: s.Language}
	answered := s.Score >= 0 && !s.AnsweredAt.IsZero()
	out := []Fact{{Kind: KindNPSSent, N: int(s.ID), At: s.SentAt, Dims: d, Value: b2i(answered)}}
	if answered {
		out = append(out, Fact{Kind: KindNPS, N: int(s.ID), At: s.AnsweredAt, Dims: d, Value: NPSCategory(s.Score), BValue: s.Score})
	}
	return out
}

// refreshNPS recomputes a batch of dirty sends' facts; it returns how many
// sends it looked at.
func (s *Service) refreshNPS(ctx context.Context, tx *db.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT send_id, gen FROM report_dirty_nps ORDER BY send_id LIMIT ?`, batch)
	if err != nil {
		return 0, fmt.Errorf("report: dirty nps: %w", err)
	}
	gens := map[int64]int64{}
	var ids []int64
	for rows.Next() {
		var id, gen int64
		if err := rows.Scan(&id, &gen); err != nil {
			rows.Close()
			return 0, fmt.Errorf("report: dirty nps: %w", err)
		}
		gens[id] = gen
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("report: dirty nps: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	ph, args := placeholders(ids)
	srows, err := tx.QueryContext(ctx, `SELECT id, organization_id, language, sent_at, score, COALESCE(answered_at, 0)
		FROM nps_sends WHERE id IN (`+ph+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("report: nps sends: %w", err)
	}
	var fresh []Fact
	for srows.Next() {
		var st NPSSendState
		var sent, answered int64
		if err := srows.Scan(&st.ID, &st.OrganizationID, &st.Language, &sent, &st.Score, &answered); err != nil {
			srows.Close()
			return 0, fmt.Errorf("report: nps sends: %w", err)
		}
		st.SentAt = db.Time(sent)
		if answered != 0 {
			st.AnsweredAt = db.Time(answered)
		}
		fresh = append(fresh, ComputeNPS(st)...)
	}
	srows.Close()
	if err := srows.Err(); err != nil {
		return 0, fmt.Errorf("report: nps sends: %w", err)
	}
	frows, err := tx.QueryContext(ctx, `SELECT kind, n, at, organization_id, language, value, bvalue FROM report_facts
		WHERE ticket_id = 0 AND kind IN (?, ?) AND n IN (`+ph+`)`, append([]any{KindNPS, KindNPSSent}, args...)...)
	if err != nil {
		return 0, fmt.Errorf("report: nps facts: %w", err)
	}
	before := map[factKey]Fact{}
	for frows.Next() {
		var f Fact
		var at int64
		if err := frows.Scan(&f.Kind, &f.N, &at, &f.OrganizationID, &f.Language, &f.Value, &f.BValue); err != nil {
			frows.Close()
			return 0, fmt.Errorf("report: nps facts: %w", err)
		}
		f.At = db.Time(at)
		before[factKey{f.Kind, f.N}] = f
	}
	frows.Close()
	if err := frows.Err(); err != nil {
		return 0, fmt.Errorf("report: nps facts: %w", err)
	}
	limit, err := pairLimit(ctx, tx)
	if err != nil {
		return 0, err
	}
	d := newDelta(limit)
	var upserts []Fact
	for _, f := range fresh {
		k := factKey{f.Kind, f.N}
		prev, had := before[k]
		delete(before, k)
		if had && sameFact(prev, f) {
			continue
		}
		if had {
			d.add(prev, -1)
		}
		d.add(f, 1)
		upserts = append(upserts, f)
	}
	if err := writeFacts(ctx, tx, upserts); err != nil {
		return 0, err
	}
	for _, f := range before { // a send deleted with its campaign
		d.add(f, -1)
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_facts WHERE ticket_id = 0 AND kind = ? AND n = ?`, f.Kind, f.N); err != nil {
			return 0, fmt.Errorf("report: drop nps fact %d: %w", f.N, err)
		}
	}
	if err := d.apply(ctx, tx); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM report_dirty_nps WHERE send_id = ? AND gen = ?`, id, gens[id]); err != nil {
			return 0, fmt.Errorf("report: clean nps %d: %w", id, err)
		}
	}
	return len(ids), nil
}

// refreshAllNPS runs NPS batches until no send is dirty (or the bound).
func (s *Service) refreshAllNPS(ctx context.Context, wait bool) error {
	for range maxBatches {
		n := 0
		if err := s.db.Write(ctx, func(tx *db.Tx) error {
			take := lock
			if wait {
				take = lockWait
			}
			if ok, err := take(ctx, tx); err != nil || !ok {
				return err
			}
			var err error
			n, err = s.refreshNPS(ctx, tx)
			return err
		}); err != nil {
			return err
		}
		if n < batch {
			return nil
		}
	}
	return nil
}
