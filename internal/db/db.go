// Package db opens Ombud's database — an embedded SQLite file by default,
// PostgreSQL for scale-out — and gives the domain stores one way to read and
// write both. SQL is written once with `?` placeholders; the Dialect rewrites
// them for PostgreSQL and supplies the few expressions that differ.
//
// Writes go through DB.Write. On SQLite a single writer goroutine groups
// concurrent writes into one transaction (group commit), each write in its own
// savepoint, so a failing write is rolled back alone and every successful one
// is durable (synchronous=FULL) when Write returns. On PostgreSQL each Write is
// a transaction of its own on the pool.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Dialect names the database engine and carries the differences between them.
type Dialect int

// The engines.
const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return "unknown"
}

// Rebind rewrites `?` placeholders to `$1, $2, …` for PostgreSQL. Queries in
// Ombud never contain a literal question mark.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || !strings.Contains(q, "?") {
		return q
	}
	// Appended in place, without fmt: a rebuild's multi-row statements
	// carry thousands of parameters each, and fmt.Sprint per parameter
	// was 6 % of its CPU on PostgreSQL.
	b := make([]byte, 0, len(q)+len(q)/4+16)
	n := int64(0)
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b = append(b, '$')
			b = strconv.AppendInt(b, n, 10)
			continue
		}
		b = append(b, q[i])
	}
	return string(b)
}

// JSONText returns an expression extracting key (a trusted identifier) from
// a JSON column as text.
func (d Dialect) JSONText(col, key string) string {
	if d == Postgres {
		return col + "->>'" + key + "'"
	}
	return "json_extract(" + col + ", '$." + key + "')"
}

// Options configure Open.
type Options struct {
	// URL is a postgres:// URL; empty means SQLite in DataDir.
	URL string
	// DataDir holds ombud.db when URL is empty.
	DataDir string
	// MaxReadConns sizes the PostgreSQL pool: twice this many connections
	// (default 8).
	MaxReadConns int
	// Readers is the number of SQLite read connections (0: 2 per CPU, at
	// most MaxDefaultReaders).
	Readers int
	// ReadCacheMiB and WriteCacheMiB are the page cache of each SQLite read
	// connection and of the writer (0: DefaultReadCacheMiB,
	// DefaultWriteCacheMiB).
	ReadCacheMiB, WriteCacheMiB int
	// MmapMiB is how much of the SQLite file each read connection maps (0:
	// DefaultMmapMiB; negative: none, pages are copied into the
	// connection's cache).
	MmapMiB int
	// MaxBatch bounds how many writes share one SQLite transaction (default 512).
	MaxBatch int
	// Log receives the SQLite writer's slow-batch warnings
	// (default slog.Default()).
	Log *slog.Logger
}

// DB is an open database.
type DB struct {
	dialect Dialect
	read    *sql.DB // SQLite: read-only pool; PostgreSQL: the one pool
	write   *sql.DB // SQLite: one connection used by the writer goroutine
	writer  *groupWriter
	url     string

	rmu    sync.RWMutex
	rstmts map[string]*sql.Stmt // SQLite read pool statements
}

// Open opens (creating when needed) the database described by opts. It does
// not migrate; call Migrate.
func Open(ctx context.Context, opts Options) (*DB, error) {
	if opts.MaxReadConns <= 0 {
		opts.MaxReadConns = 8
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.URL != "" {
		return openPostgres(ctx, opts)
	}
	return openSQLite(ctx, opts)
}

func openPostgres(ctx context.Context, opts Options) (*DB, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("db: database URL must be postgres://…")
	}
	// PostgreSQL's JIT compiles a statement's expressions when its plan's
	// cost passes jit_above_cost, which a generic plan's estimates reach at
	// 1M tickets: a search's walks then spent ≈ 14 ms compiling for 0.2 ms
	// of execution on every call (docs/benchmarks.md, 2026-12-07 22:40).
	// Ombud's statements are short, so JIT is off unless the URL sets it.
	if q := u.Query(); !q.Has("jit") {
		q.Set("jit", "off")
		u.RawQuery = q.Encode()
	}
	pool, err := sql.Open("pgx", u.String())
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(opts.MaxReadConns * 2)
	pool.SetMaxIdleConns(opts.MaxReadConns * 2)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := pool.PingContext(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: connect postgres: %w", err)
	}
	return &DB{dialect: Postgres, read: pool, write: pool, url: opts.URL}, nil
}

func openSQLite(ctx context.Context, opts Options) (*DB, error) {
	if opts.DataDir == "" {
		return nil, errors.New("db: data directory is required for SQLite")
	}
	if err := os.MkdirAll(opts.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("db: create data dir: %w", err)
	}
	path := filepath.Join(opts.DataDir, "ombud.db")
	if err := separatePageCaches(); err != nil { // no lock between connections' caches (pagecache.go)
		return nil, err
	}
	if slotErr != nil && opts.Log != nil {
		opts.Log.Warn("sqlite page caches use the C library's allocator (twice their size in memory)", "err", slotErr)
	}
	registerQPSG() // plans that no bound value expires (qpsg.go)
	// temp_store(MEMORY): statement journals (every multi-row upsert has
	// one) and sorts stay off disk — on a temp file they cost a write
	// system call per page and made report rebuilds ten times slower.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=temp_store(MEMORY)"
	// FULL makes every commit durable across power loss, which a 201 promises;
	// group commit pays for the extra fsync.
	// The single writer gets a 64 MiB page cache (SQLite's default is 2 MiB):
	// index pages of a large database stay cached between batches.
	mem := resolveSQLiteMem(opts)
	wdsn := "file:" + path + "?" + common + "&_pragma=synchronous(FULL)" + mem.writerPragmas() + "&_txlock=immediate"
	w, err := sql.Open("sqlite", wdsn)
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite %s: %w", path, err)
	}
	// Read connections copy pages from the OS page cache into their own
	// caches by default (sqlitemem.go): each connection's mapping of the
	// file counted its pages again in the process's RSS. A mapping
	// (--sqlite-mmap) lets concurrent searches share the OS cache's pages
	// instead (docs/benchmarks.md, search at 30,000 tickets and at 1M).
	// The file never shrinks under a mapping: no VACUUM or auto_vacuum
	// runs on it (backups use VACUUM INTO another file, restore runs with
	// the server stopped).
	rdsn := "file:" + path + "?" + common + "&_pragma=query_only(1)" + mem.readerPragmas()
	r, err := sql.Open("sqlite", rdsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("db: open sqlite reader: %w", err)
	}
	r.SetMaxOpenConns(mem.readers)
	r.SetMaxIdleConns(mem.readers)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	d := &DB{dialect: SQLite, read: r, write: w, url: path, rstmts: map[string]*sql.Stmt{}}
	d.writer = newGroupWriter(w, SQLite, opts.MaxBatch, opts.Log, path+"-wal")
	return d, nil
}

// Dialect reports the engine.
func (d *DB) Dialect() Dialect { return d.dialect }

// Location is the SQLite file path or the PostgreSQL URL (for logs; the
// password is removed).
func (d *DB) Location() string {
	if d.dialect == Postgres {
		if u, err := url.Parse(d.url); err == nil {
			return u.Redacted()
		}
	}
	return d.url
}

// Stats reports the connection pools' statistics for /metrics.
func (d *DB) Stats() (read, write sql.DBStats) {
	return d.read.Stats(), d.write.Stats()
}

// Close stops the writer and closes the pools.
func (d *DB) Close() error {
	if d.writer != nil {
		d.writer.close()
	}
	d.rmu.Lock()
	for _, st := range d.rstmts {
		st.Close()
	}
	d.rstmts = map[string]*sql.Stmt{}
	d.rmu.Unlock()
	err := d.read.Close()
	if d.write != d.read {
		if werr := d.write.Close(); err == nil {
			err = werr
		}
	}
	return err
}

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.read.PingContext(ctx) }

// Querier runs read queries; Tx and *DB both implement it.
type Querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	Dialect() Dialect
}

// QueryContext runs a read query on the read pool.
func (d *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = d.readCtx(ctx)
	if st := d.readStmt(q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return d.read.QueryContext(ctx, d.dialect.Rebind(q), args...)
}

// QueryRowContext runs a single-row read query on the read pool.
func (d *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = d.readCtx(ctx)
	if st := d.readStmt(q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.read.QueryRowContext(ctx, d.dialect.Rebind(q), args...)
}

// readCtx is the context a statement on the SQLite read pool runs with.
// With a context that can be cancelled but has no deadline (a request's:
// it ends when the client goes away), the driver would start a goroutine
// per statement to interrupt it and database/sql another per result set to
// close it, each waking an idle thread and sleeping again: ≈ 40 context
// switches a search and an eighth to a sixth of its CPU at one client
// (docs/benchmarks.md, 2026-12-07 14:10). Such a context is therefore
// checked before each statement instead, and the statement runs to its
// end: a request whose client left stops at its next statement. A context
// with a deadline keeps the driver's interrupt, since a deadline is meant
// to bound a statement too; one already done is passed on, so the call
// fails at once as before. (Writes: Tx.sqlCtx; PostgreSQL's statements
// keep their context, as a cancelled one also stops the server's work.)
func (d *DB) readCtx(ctx context.Context) context.Context {
	if d.dialect != SQLite || ctx.Done() == nil || ctx.Err() != nil {
		return ctx
	}
	if _, ok := ctx.Deadline(); ok {
		return ctx
	}
	return context.WithoutCancel(ctx)
}

// readStmt returns q prepared on the SQLite read pool, or nil. SQLite spends
// a good part of a small query parsing and planning it; a pool statement is
// prepared once per connection and reused. (PostgreSQL: pgx caches
// statements itself.) The cache is bounded: queries built from many filter
// combinations beyond it simply run unprepared.
func (d *DB) readStmt(q string) *sql.Stmt {
	if d.dialect != SQLite {
		return nil
	}
	d.rmu.RLock()
	st, ok := d.rstmts[q]
	d.rmu.RUnlock()
	if ok {
		return st
	}
	d.rmu.Lock()
	defer d.rmu.Unlock()
	if st, ok := d.rstmts[q]; ok {
		return st
	}
	if len(d.rstmts) >= 2000 {
		return nil
	}
	// Preparing takes a connection of the read pool itself, never the
	// writer's, so it cannot wait on a transaction in progress.
	st, err := d.read.PrepareContext(context.Background(), q)
	if err != nil {
		return nil // the direct query reports the error
	}
	d.rstmts[q] = st
	return st
}

// Tx is a write transaction (on SQLite: one savepoint of a shared transaction).
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	after   []func()
	// stmts caches statements prepared on this transaction's connection
	// (the SQLite writer shares one transaction among a batch of writes, so
	// a statement parsed for the first write serves the rest). The
	// transaction's end closes them.
	stmts map[string]*sql.Stmt
	// stamp is the configuration stamp once read (cached.go).
	stamp    int64
	hasStamp bool
	// gw is the SQLite writer, whose statements outlive a batch (nil on
	// PostgreSQL).
	gw *groupWriter
	// uncancelled: the statements run without the caller's context (a
	// grouped SQLite write; see sqlCtx).
	uncancelled bool
}

// sqlCtx is the context t's statements run with. A grouped SQLite write
// runs to its end once the writer has started it (its caller waits for
// the answer whatever its context says, groupWriter.do), so its
// statements get a context that is never done: with one that can be,
// the driver starts a goroutine per statement to interrupt it and
// database/sql another per result set to close it, a tenth of the
// writer's CPU under create load.
func (t *Tx) sqlCtx(ctx context.Context) context.Context {
	if t.uncancelled {
		return context.Background()
	}
	return ctx
}

// Dialect reports the engine.
func (t *Tx) Dialect() Dialect { return t.dialect }

// stmt returns q prepared on the transaction, or nil when there is no
// cache or it cannot be prepared (the caller then runs q directly and
// reports the error).
func (t *Tx) stmt(ctx context.Context, q string) *sql.Stmt {
	if t.stmts == nil {
		return nil
	}
	if st, ok := t.stmts[q]; ok {
		return st
	}
	if len(t.stmts) >= 500 {
		return nil
	}
	var st *sql.Stmt
	if t.gw != nil {
		if ps := t.gw.prepared[q]; ps != nil {
			// Prepared on the writer's one connection before: the
			// transaction reuses it without parsing q again.
			st = t.tx.StmtContext(ctx, ps)
		} else {
			t.gw.want(q)
		}
	}
	if st == nil {
		var err error
		if st, err = t.tx.PrepareContext(ctx, q); err != nil {
			return nil
		}
	}
	t.stmts[q] = st
	return st
}

// ExecContext runs a statement.
func (t *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx = t.sqlCtx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.dialect.Rebind(q), args...)
}

// QueryContext runs a query inside the transaction.
func (t *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	ctx = t.sqlCtx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.dialect.Rebind(q), args...)
}

// QueryRowContext runs a single-row query inside the transaction.
func (t *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	ctx = t.sqlCtx(ctx)
	if st := t.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.dialect.Rebind(q), args...)
}

// InsertID runs an INSERT of one row and returns its id: on PostgreSQL
// with RETURNING id; on SQLite, where every table's id is its INTEGER
// PRIMARY KEY (the rowid), as the statement's last inserted rowid, which
// spares the RETURNING clause's buffering and a result set per insert
// (a trigger's inserts do not change it). An upsert (ON CONFLICT) may
// update rather than insert and then sets no rowid: it keeps RETURNING.
// No row inserted is sql.ErrNoRows, as RETURNING would answer.
func (t *Tx) InsertID(ctx context.Context, q string, args ...any) (int64, error) {
	if t.dialect == SQLite && !strings.Contains(q, "ON CONFLICT") && !strings.Contains(q, "on conflict") {
		res, err := t.ExecContext(ctx, q, args...)
		if err != nil {
			return 0, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, err
		} else if n == 0 {
			return 0, sql.ErrNoRows
		}
		return res.LastInsertId()
	}
	var id int64
	if err := t.QueryRowContext(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// Savepoint runs fn inside a savepoint of tx: when fn fails, its work (and
// the after-commit hooks it registered) is undone while the rest of the
// transaction goes on. name must be a trusted identifier.
func (t *Tx) Savepoint(ctx context.Context, name string, fn func() error) error {
	ctx = t.sqlCtx(ctx)
	if _, err := t.tx.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("db: savepoint %s: %w", name, err)
	}
	hooks := len(t.after)
	if ferr := runProtected(t, func(*Tx) error { return fn() }); ferr != nil {
		if _, err := t.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
			return fmt.Errorf("db: rollback to %s: %w (after %w)", name, err, ferr)
		}
		t.after = t.after[:hooks]
		if _, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
			return fmt.Errorf("db: release %s: %w", name, err)
		}
		return ferr
	}
	if _, err := t.tx.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("db: release %s: %w", name, err)
	}
	return nil
}

// AfterCommit registers f to run once the transaction has committed (live
// updates, cache invalidation). It never runs when the write fails.
func (t *Tx) AfterCommit(f func()) { t.after = append(t.after, f) }

// Write runs fn in a write transaction. fn's error rolls back only fn's work
// and is returned as is. A panic in fn is turned into an error.
func (d *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if d.writer != nil {
		return d.writer.do(ctx, fn, false)
	}
	return d.writeTx(ctx, fn)
}

// WriteBulk runs fn in a write transaction of its own: on SQLite it is not
// grouped with other writes and has no savepoint around it (fn's failure
// rolls back all of fn's work, as on PostgreSQL). For writes of many rows,
// such as a batch of imported tickets: a savepoint makes SQLite's cost per
// statement grow with everything written since it opened (groupwriter.go,
// commitBulk).
func (d *DB) WriteBulk(ctx context.Context, fn func(tx *Tx) error) error {
	if d.writer != nil {
		return d.writer.do(ctx, fn, true)
	}
	return d.writeTx(ctx, fn)
}

func (d *DB) writeTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqltx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("db: begin: %w", err)
	}
	tx := &Tx{tx: sqltx, dialect: d.dialect}
	if err := runProtected(tx, fn); err != nil {
		_ = sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	for _, f := range tx.after {
		f()
	}
	return nil
}

func runProtected(tx *Tx, fn func(tx *Tx) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("db: panic in write: %v", r)
		}
	}()
	return fn(tx)
}

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// NullString maps "" to NULL.
func NullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// NullInt maps 0 to NULL (ids start at 1).
func NullInt(n int64) sql.NullInt64 { return sql.NullInt64{Int64: n, Valid: n != 0} }

// Millis converts a time to the stored form: milliseconds since the Unix epoch, UTC.
func Millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Time converts stored milliseconds back; 0 is the zero time.
func Time(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

// NullTime converts a nullable stored time.
func NullTime(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return Time(ms.Int64)
}

// NullMillis maps the zero time to NULL.
func NullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// PlanEach, passed as the first argument of a PostgreSQL query (never a
// SQLite one), sends the query with its values in one round trip (the
// simple protocol) instead of preparing it: PostgreSQL then plans it for
// those values each time, and a query whose SQL differs on every call
// costs no extra round trip to prepare a statement used once.
var PlanEach any = pgx.QueryExecModeSimpleProtocol
