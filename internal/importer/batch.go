package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
)

// directoryLine reports whether raw is a team, agent, organization or field
// record: a resumed import reads those again (later records name them).
func directoryLine(raw []byte) bool {
	var k struct {
		Kind string `json:"kind"`
	}
	if json.Unmarshal(raw, &k) != nil {
		return false
	}
	return k.Kind == KindTeam || k.Kind == KindAgent || k.Kind == KindOrganization || k.Kind == KindField
}

// kindIs reports whether raw is a record of kind.
func kindIs(raw []byte, kind string) bool {
	var k struct {
		Kind string `json:"kind"`
	}
	return json.Unmarshal(raw, &k) == nil && k.Kind == kind
}

// flush writes what is pending — customers first, since tickets may name
// them as requesters — and moves the checkpoint to line once it is
// committed. The tickets are written while the caller reads on
// (pipeline.go): the next flush, or the end of the import, waits for them.
func (im *job) flush(line int) error {
	if err := im.wait(); err != nil {
		return err
	}
	if err := im.flushCustomers(); err != nil {
		return err
	}
	return im.flushTickets(line)
}

// checkpoint moves the committed line and reports progress.
func (im *job) checkpoint(line int, lastExt string) {
	im.res.Line = line
	if lastExt != "" {
		im.res.LastExternalID = lastExt
	}
	if im.opt.Progress != nil {
		im.opt.Progress(Progress{Line: line, Bytes: im.bytes, Tickets: im.seen, Result: &im.res})
	}
}

// flushCustomers ensures the pending customers, Parallel at a time: each
// Ensure is a write of its own, and concurrent writes share a commit.
func (im *job) flushCustomers() error {
	if len(im.customers) == 0 {
		return nil
	}
	errs := make([]error, len(im.customers))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, im.s.Parallel) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				p := im.customers[i]
				_, errs[i] = im.s.dir.EnsureCustomer(im.ctx, p.c, p.org)
			}
		}()
	}
	for i := range im.customers {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		switch {
		case err == nil:
			im.res.Imported++
		case apperr.CodeOf(err) == apperr.CodeInternal:
			return fmt.Errorf("importer: line %d: %w", im.customers[i].line, err)
		default:
			im.res.fail(im.customers[i].line, KindCustomer, err)
		}
	}
	im.customers = im.customers[:0]
	return nil
}

// flushTickets writes the pending tickets: those whose external_id is
// already present are skipped (one lookup for the batch), the rest are
// written in one transaction by the set-based replay
// (ticket.ImportBatchTx), in the background (pipeline.go): a ticket it
// refuses writes nothing and the rest go on in the same transaction.
// Should the batch meet an external_id another import wrote meanwhile, it
// is written step by step instead, where that ticket fails alone.
func (im *job) flushTickets(line int) error {
	lastExt := ""
	if n := len(im.tickets); n > 0 {
		lastExt = im.tickets[n-1].in.Create.ExternalID
	}
	batch, err := im.dropExisting(im.tickets)
	im.tickets = im.tickets[:0]
	if err != nil {
		return err
	}
	if len(batch) == 0 {
		im.checkpoint(line, lastExt)
		return nil
	}
	if im.s.Stepwise {
		if err := im.flushStepwise(batch); err != nil {
			return err
		}
		im.checkpoint(line, lastExt)
		return nil
	}
	im.start(batch, line, lastExt)
	return nil
}

// flushStepwise writes batch through ticket.ImportTx, one transaction for
// the lot. When a ticket fails there, the transaction is rolled back, the
// tickets before it are written again together, the failure is recorded,
// and the rest go on the same way — so a batch with k bad tickets costs
// k+1 transactions, and no ticket pays a savepoint.
func (im *job) flushStepwise(batch []pending) error {
	for len(batch) > 0 {
		ids := make([]int64, 0, len(batch))
		failed := -1
		var ferr error
		err := im.s.db.WriteBulk(im.ctx, func(tx *db.Tx) error {
			ids = ids[:0]
			for i, p := range batch {
				id, err := im.s.tickets.ImportTx(im.ctx, tx, p.in)
				if err != nil {
					failed, ferr = i, err
					return err
				}
				ids = append(ids, id)
			}
			return nil
		})
		if err == nil {
			im.committed(ids)
			break
		}
		if failed < 0 || apperr.CodeOf(ferr) == apperr.CodeInternal {
			return fmt.Errorf("importer: write tickets: %w", err)
		}
		if failed > 0 {
			// The tickets before the bad one wrote without error: write
			// them again, on their own.
			ids = ids[:0]
			if err := im.s.db.WriteBulk(im.ctx, func(tx *db.Tx) error {
				ids = ids[:0]
				for _, p := range batch[:failed] {
					id, err := im.s.tickets.ImportTx(im.ctx, tx, p.in)
					if err != nil {
						return err
					}
					ids = append(ids, id)
				}
				return nil
			}); err != nil {
				return fmt.Errorf("importer: write tickets: %w", err)
			}
			im.committed(ids)
		}
		if apperr.Is(ferr, apperr.CodeConflict) && batch[failed].in.Create.ExternalID != "" {
			im.res.Skipped++ // written meanwhile by another import
		} else {
			im.res.fail(batch[failed].line, KindTicket, ferr)
		}
		im.seen++
		batch = batch[failed+1:]
	}
	return nil
}

func (im *job) committed(ids []int64) {
	im.res.Imported += len(ids)
	im.res.TicketsImported += len(ids)
	im.res.TicketIDs = append(im.res.TicketIDs, ids...)
	im.seen += len(ids)
}

// dropExisting returns the tickets of batch whose external_id is not in
// the database (nor earlier in the batch), counting the others skipped.
func (im *job) dropExisting(batch []pending) ([]pending, error) {
	var ext []any
	for _, p := range batch {
		if p.in.Create.ExternalID != "" {
			ext = append(ext, p.in.Create.ExternalID)
		}
	}
	present := map[string]bool{}
	if len(ext) > 0 {
		if err := existingExternal(im.ctx, im.s.db, ext, present); err != nil {
			return nil, err
		}
	}
	out := make([]pending, 0, len(batch))
	for _, p := range batch {
		id := p.in.Create.ExternalID
		if id != "" && present[id] {
			im.res.Skipped++
			im.seen++
			continue
		}
		if id != "" {
			present[id] = true // a second ticket with the id in one file
		}
		out = append(out, p)
	}
	return out, nil
}

// existingExternal marks which of ids are tickets' external ids, reading
// at most 500 at a time (bound parameters).
func existingExternal(ctx context.Context, d *db.DB, ids []any, present map[string]bool) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		q := "SELECT external_id FROM tickets WHERE external_id IN (?" + repeat(", ?", n-1) + ")"
		rows, err := d.QueryContext(ctx, q, ids[:n]...)
		if err != nil {
			return fmt.Errorf("importer: existing external ids: %w", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("importer: existing external ids: %w", err)
			}
			present[id] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("importer: existing external ids: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}
