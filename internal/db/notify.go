package db

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoNotify reports that the engine has no cross-process notifications
// (SQLite: one process owns the database).
var ErrNoNotify = errors.New("db: notifications need PostgreSQL")

// Notify sends payload to every session listening on channel (PostgreSQL
// NOTIFY; payloads up to 8000 bytes). channel must be a trusted identifier.
func (d *DB) Notify(ctx context.Context, channel, payload string) error {
	if d.dialect != Postgres {
		return ErrNoNotify
	}
	if _, err := d.read.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return fmt.Errorf("db: notify %s: %w", channel, err)
	}
	return nil
}

// Listen calls fn with every payload sent to channel until ctx is done,
// reconnecting after errors (each reported to onErr). It uses a connection
// of its own, outside the pool, since a listening session must stay open.
func (d *DB) Listen(ctx context.Context, channel string, fn func(payload string), onErr func(error)) error {
	if d.dialect != Postgres {
		return ErrNoNotify
	}
	backoff := time.Second
	for ctx.Err() == nil {
		err := d.listenOnce(ctx, channel, fn)
		if ctx.Err() != nil {
			return nil
		}
		if onErr != nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 30*time.Second)
	}
	return nil
}

func (d *DB) listenOnce(ctx context.Context, channel string, fn func(string)) error {
	conn, err := pgx.Connect(ctx, d.url)
	if err != nil {
		return fmt.Errorf("db: listen connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("db: listen %s: %w", channel, err)
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("db: wait for notification: %w", err)
		}
		fn(n.Payload)
	}
}
