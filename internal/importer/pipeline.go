package importer

import (
	"fmt"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/ticket"
)

// An import reads, resolves and checks the records of the next batch
// while the database writes the current one: two cores, each busy. One
// batch at most is in flight; the next flush waits for it, so batches
// commit in file order and the checkpoint (Result.Line) only ever names
// committed lines.

type inflight struct {
	done  chan struct{}
	batch []pending
	line  int
	ext   string // the batch's last external_id, skipped ones included
	outs  []ticket.ImportOutcome
	err   error
}

type deferredFail struct {
	line int
	kind string
	err  error
}

// start writes batch in the background.
func (im *job) start(batch []pending, line int, lastExt string) {
	f := &inflight{done: make(chan struct{}), batch: batch, line: line, ext: lastExt}
	im.inflight = f
	go func() {
		defer close(f.done)
		ins := make([]ticket.ImportTicket, len(batch))
		for i, p := range batch {
			ins[i] = p.in
		}
		f.err = im.s.db.WriteBulk(im.ctx, func(tx *db.Tx) error {
			var err error
			f.outs, err = im.s.tickets.ImportBatchTx(im.ctx, tx, ins)
			return err
		})
	}()
}

// wait lets the batch in flight finish and counts what became of it.
func (im *job) wait() error {
	f := im.inflight
	if f == nil {
		return nil
	}
	<-f.done
	im.inflight = nil
	deferred := im.deferred
	im.deferred = nil
	defer func() {
		for _, d := range deferred {
			im.res.fail(d.line, d.kind, d.err)
		}
	}()
	switch {
	case f.err == nil:
		for i, o := range f.outs {
			switch {
			case o.Err == nil:
				im.committed([]int64{o.ID})
			case apperr.Is(o.Err, apperr.CodeConflict) && f.batch[i].in.Create.ExternalID != "":
				im.res.Skipped++ // written meanwhile by another import
				im.seen++
			default:
				im.res.fail(f.batch[i].line, KindTicket, o.Err)
				im.seen++
			}
		}
	case apperr.Is(f.err, apperr.CodeConflict):
		// Another import wrote one of these meanwhile: step by step,
		// where that ticket fails alone.
		if err := im.flushStepwise(f.batch); err != nil {
			return err
		}
	default:
		return fmt.Errorf("importer: write tickets: %w", f.err)
	}
	im.checkpoint(f.line, f.ext)
	return nil
}

// fail records a line that was not imported, after the batch in flight's
// own failures when there is one.
func (im *job) fail(line int, kind string, err error) {
	if im.inflight != nil {
		im.deferred = append(im.deferred, deferredFail{line, kind, err})
		return
	}
	im.res.fail(line, kind, err)
}
