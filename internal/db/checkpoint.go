package db

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"time"
)

// SQLite's WAL checkpoints run on a connection of their own, off the
// commit path. By default SQLite checkpoints inside the COMMIT that takes
// the WAL past 1,000 pages (wal_autocheckpoint): the writer then copies
// every frame it may into the database file and fsyncs it before the
// batch's writes are answered. While readers keep old snapshots the
// checkpoint cannot finish, the WAL grows, and the one that finally can
// copies all of it at once — seconds on a busy disk, with every waiting
// write behind it (docs/architecture.md, "SQLite writes").
//
// The writer's connection has wal_autocheckpoint(0); the checkpointer
// runs PRAGMA wal_checkpoint(PASSIVE) every checkpointEvery when the WAL
// has changed. A passive checkpoint takes no writer lock: commits go on
// while it copies, and it stops short of frames a reader still needs.
type checkpointer struct {
	conn *sql.DB
	wal  string
	log  *slog.Logger
	stop chan struct{}
	done chan struct{}
}

// checkpointEvery is how often the checkpointer looks at the WAL.
const checkpointEvery = time.Second

// slowCheckpoint is the duration from which a checkpoint is logged.
const slowCheckpoint = 250 * time.Millisecond

func newCheckpointer(conn *sql.DB, wal string, log *slog.Logger) *checkpointer {
	if log == nil {
		log = slog.Default()
	}
	c := &checkpointer{conn: conn, wal: wal, log: log, stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.done)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	var seen time.Time
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		fi, err := os.Stat(c.wal)
		if err != nil || fi.ModTime().Equal(seen) {
			continue
		}
		seen = fi.ModTime()
		_, _, _ = c.run(context.Background())
	}
}

// run checkpoints passively and reports the WAL's frames and how many of
// them are now in the database file.
func (c *checkpointer) run(ctx context.Context) (frames, done int, err error) {
	begin := time.Now()
	var busy int
	err = c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done)
	if d := time.Since(begin); err != nil {
		c.log.Warn("db: checkpoint", "err", err)
	} else if d >= slowCheckpoint {
		c.log.Warn("db: slow checkpoint", "duration", d, "wal_frames", frames, "checkpointed", done)
	}
	return frames, done, err
}

func (c *checkpointer) close() {
	close(c.stop)
	<-c.done
	_ = c.conn.Close()
}
