package backup

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// PgDumpName is the PostgreSQL dump (pg_dump --format=custom) in an archive.
const PgDumpName = "database.pgdump"

// findTool resolves a PostgreSQL client program: the path given, or the
// name on PATH.
func findTool(name, given string) (string, error) {
	p := given
	if p == "" {
		p = name
	}
	full, err := exec.LookPath(p)
	if err != nil {
		return "", fmt.Errorf("%s not found (%v): install the PostgreSQL client tools (Debian/Ubuntu: apt install postgresql-client; RHEL: postgresql) of the server's major version or newer, or name the program with --%s PATH", name, err, strings.ReplaceAll(name, "_", "-"))
	}
	return full, nil
}

var toolVersion = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// toolMajor is the major version a PostgreSQL client program reports.
func toolMajor(ctx context.Context, path string) (int, error) {
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s --version: %w", path, err)
	}
	m := toolVersion.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("%s --version: unexpected answer %q", path, bytes.TrimSpace(out))
	}
	return strconv.Atoi(string(m[1]))
}

// serverMajor is the server's major version (server_version_num is
// MMmmpp since PostgreSQL 10).
func serverMajor(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}) (int, error) {
	var s string
	if err := q.QueryRowContext(ctx, "SHOW server_version_num").Scan(&s); err != nil {
		return 0, fmt.Errorf("server version: %w", err)
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("server version %q: %w", s, err)
	}
	return n / 10000, nil
}

// libpqParams maps URL query parameters libpq understands to its
// environment variables; the rest (pgx pool settings) mean nothing to it.
var libpqParams = map[string]string{
	"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE",
	"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
	"sslcrl": "PGSSLCRL", "connect_timeout": "PGCONNECT_TIMEOUT", "application_name": "PGAPPNAME",
	"target_session_attrs": "PGTARGETSESSIONATTRS", "options": "PGOPTIONS",
}

// pgEnv turns a postgres:// URL into libpq environment variables, so the
// password never appears on a command line (ps shows those to every
// user). It returns the process environment with them added.
func pgEnv(rawURL string) ([]string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, errors.New("the database URL must be postgres://…")
	}
	vars := map[string]string{}
	if u.User != nil {
		vars["PGUSER"] = u.User.Username()
		if p, ok := u.User.Password(); ok {
			vars["PGPASSWORD"] = p
		}
	}
	// host:port[,host:port…]: libpq takes parallel comma lists.
	if u.Host != "" {
		var hosts, ports []string
		for _, hp := range strings.Split(u.Host, ",") {
			h, p := hp, ""
			if i := strings.LastIndex(hp, ":"); i >= 0 && !strings.HasSuffix(hp, "]") {
				h, p = hp[:i], hp[i+1:]
			}
			hosts = append(hosts, strings.Trim(h, "[]"))
			ports = append(ports, p)
		}
		vars["PGHOST"] = strings.Join(hosts, ",")
		if strings.Join(ports, "") != "" {
			vars["PGPORT"] = strings.Join(ports, ",")
		}
	}
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		vars["PGDATABASE"] = db
	}
	for k, v := range u.Query() {
		if env, ok := libpqParams[k]; ok && len(v) > 0 {
			vars[env] = v[0]
		}
	}
	env := os.Environ()
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env, nil
}

// runTool runs a PostgreSQL client program with the connection in its
// environment; on failure the error carries the end of its stderr.
func runTool(ctx context.Context, path string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if len(msg) > 2000 {
			msg = "…" + msg[len(msg)-2000:]
		}
		return fmt.Errorf("%s: %w: %s", path, err, msg)
	}
	return nil
}

// dumpPostgres runs pg_dump into file, reading the snapshot exported by
// the transaction the caller holds open, and reports the dump's size as
// it grows.
func dumpPostgres(ctx context.Context, o Options, snapshot, file string, progress func(int64)) error {
	pgDump, err := findTool("pg_dump", o.PgDump)
	if err != nil {
		return err
	}
	env, err := pgEnv(o.DatabaseURL)
	if err != nil {
		return err
	}
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if st, err := os.Stat(file); err == nil && progress != nil {
					progress(st.Size())
				}
			}
		}
	}()
	err = runTool(ctx, pgDump, env, "--format=custom", "--no-owner", "--no-privileges", "--snapshot="+snapshot, "--file="+file)
	close(done)
	<-stopped
	return err
}

// checkDumpVersion refuses a pg_dump older than the server: it would
// refuse the server itself, with a less helpful message.
func checkDumpVersion(ctx context.Context, o Options, q interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}) error {
	pgDump, err := findTool("pg_dump", o.PgDump)
	if err != nil {
		return err
	}
	tool, err := toolMajor(ctx, pgDump)
	if err != nil {
		return err
	}
	server, err := serverMajor(ctx, q)
	if err != nil {
		return err
	}
	if tool < server {
		return fmt.Errorf("%s is from PostgreSQL %d but the server runs %d: pg_dump must be of the server's major version or newer (install postgresql-client-%d, or name it with --pg-dump PATH)", pgDump, tool, server, server)
	}
	return nil
}

// userTables lists the tables outside PostgreSQL's own schemas.
func userTables(ctx context.Context, c *sql.DB) ([]string, error) {
	rows, err := c.QueryContext(ctx, `SELECT schemaname || '.' || tablename FROM pg_tables
		WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg\_toast%' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("list tables: %w", err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// requireEmptyDatabase refuses a database that holds any table: a
// restore never mixes with, or overwrites, live data.
func requireEmptyDatabase(ctx context.Context, c *sql.DB) error {
	tables, err := userTables(ctx, c)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if len(tables) > 0 {
		shown := tables
		if len(shown) > 8 {
			shown = append(shown[:8:8], fmt.Sprintf("… %d in all", len(tables)))
		}
		return fmt.Errorf("restore: the database (--database-url) is not empty, it has tables %s: restore into a new, empty database (createdb) (nothing was changed)", strings.Join(shown, ", "))
	}
	return nil
}

// restorePostgres loads a verified dump into the empty database the URL
// names, in one transaction (a failure leaves it empty), and checks the
// manifest's row counts against what was loaded.
func restorePostgres(ctx context.Context, o RestoreOptions, dump string, m *Manifest) error {
	pgRestore, err := findTool("pg_restore", o.PgRestore)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	env, err := pgEnv(o.DatabaseURL)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	c, err := sql.Open("pgx", o.DatabaseURL)
	if err != nil {
		return fmt.Errorf("restore: connect: %w", err)
	}
	defer c.Close()
	if err := requireEmptyDatabase(ctx, c); err != nil {
		return err
	}
	if o.Progress != nil {
		o.Progress(Progress{Phase: "pg_restore"})
	}
	// --dbname as a conninfo naming only the database: the rest of the
	// connection, password included, comes from the environment.
	args := []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"}
	if name := envValue(env, "PGDATABASE"); name != "" {
		args = append(args, "--dbname=dbname='"+strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(name)+"'")
	} else {
		args = append(args, "--dbname=dbname=postgres")
	}
	if err := runTool(ctx, pgRestore, env, append(args, dump)...); err != nil {
		return fmt.Errorf("restore: pg_restore failed, the database was left as it was: %w", err)
	}
	for t, want := range m.Counts {
		if !isCounted(t) {
			continue
		}
		var n int64
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return fmt.Errorf("restore: count %s after pg_restore: %w", t, err)
		}
		if n != want {
			return fmt.Errorf("restore: after pg_restore %s has %d rows, the manifest says %d: the database now holds the restored data, check it before use", t, n, want)
		}
	}
	return nil
}

func isCounted(t string) bool {
	for _, c := range counted {
		if c == t {
			return true
		}
	}
	return false
}

func envValue(env []string, key string) string {
	v := ""
	for _, e := range env {
		if k, val, ok := strings.Cut(e, "="); ok && k == key {
			v = val // the last one wins, as in the child's environment
		}
	}
	return v
}

type pgSnapshot struct {
	tx   *sql.Tx // REPEATABLE READ, open until the manifest is written
	file string  // the dump
}

// snapshotPostgres opens a read-only REPEATABLE READ transaction, exports
// its snapshot and has pg_dump read that same snapshot, so the counts
// read in the transaction describe exactly the dump. cleanup ends the
// transaction and removes the dump.
func snapshotPostgres(ctx context.Context, o Options) (_ *pgSnapshot, _ func(), err error) {
	if o.DatabaseURL == "" {
		return nil, nil, errors.New("no database URL for pg_dump")
	}
	c, err := sql.Open("pgx", o.DatabaseURL)
	if err != nil {
		return nil, nil, fmt.Errorf("connect: %w", err)
	}
	var tx *sql.Tx
	tmp := ""
	cleanup := func() {
		if tx != nil {
			_ = tx.Rollback()
		}
		c.Close()
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	defer func() {
		if err != nil {
			cleanup()
		}
	}()
	if err := checkDumpVersion(ctx, o, c); err != nil {
		return nil, nil, err
	}
	tx, err = c.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return nil, nil, fmt.Errorf("begin snapshot: %w", err)
	}
	var snap string
	if err := tx.QueryRowContext(ctx, "SELECT pg_export_snapshot()").Scan(&snap); err != nil {
		return nil, nil, fmt.Errorf("export snapshot: %w", err)
	}
	tmp, err = os.MkdirTemp(o.TempDir, "ombud-backup-*")
	if err != nil {
		return nil, nil, fmt.Errorf("temporary directory: %w", err)
	}
	file := tmp + string(os.PathSeparator) + PgDumpName
	if err := dumpPostgres(ctx, o, snap, file, func(n int64) {
		if o.Progress != nil {
			o.Progress(Progress{Phase: "pg_dump", Bytes: n})
		}
	}); err != nil {
		return nil, nil, err
	}
	return &pgSnapshot{tx: tx, file: file}, cleanup, nil
}
