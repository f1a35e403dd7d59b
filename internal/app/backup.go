package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/ombud/ombud/internal/backup"
	"github.com/ombud/ombud/internal/db"
)

// runBackup handles "ombud backup --out FILE": a consistent archive of the
// database (a SQLite snapshot, or a pg_dump on PostgreSQL) and the
// attachment store, taken while Ombud serves.
func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out string
	var noKey bool
	var pgDump string
	c, err := parse("backup", args, getenv, stderr, false, func(fs *flag.FlagSet) {
		fs.StringVar(&pgDump, "pg-dump", "", "PostgreSQL: the pg_dump program (default: pg_dump on PATH; its major version must be the server's or newer)")
		fs.StringVar(&out, "out", "", "the archive to write (.tar.gz); must not exist")
		fs.BoolVar(&noKey, "no-secret-key", false, "leave DATA/secret.key out of the archive (when the key is kept elsewhere)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return usageError{errors.New("--out is required")}
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s already exists: choose a new file name", out)
	}
	if c.DatabaseURL == "" {
		// Never create an empty database where the operator pointed by mistake.
		if _, err := os.Stat(db.SQLitePath(c.DataDir)); err != nil {
			return fmt.Errorf("no database in %s (--data): %w", c.DataDir, err)
		}
	}
	d, err := db.Open(ctx, dbOptions(c))
	if err != nil {
		return err
	}
	defer d.Close()
	// Written under a temporary name and renamed when complete, so a
	// failed or interrupted backup never looks like a good one.
	partial := out + ".partial"
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("create %s: %w", partial, err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(partial)
		}
	}()
	start := time.Now()
	m, err := backup.Create(ctx, f, backup.Options{
		DataDir: c.DataDir, DB: d, Version: versionString(), SecretKey: !noKey,
		TempDir: filepath.Dir(out), Progress: progressPrinter(stderr, "backup"),
		DatabaseURL: c.DatabaseURL, PgDump: pgDump,
	})
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := os.Rename(partial, out); err != nil {
		return fmt.Errorf("rename %s: %w", partial, err)
	}
	ok = true
	st, _ := os.Stat(out)
	fmt.Fprintf(stdout, "backup written to %s (%s compressed, %d files) in %s\n", out, byteSize(st.Size()), len(m.Files), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "  engine %s, migration %s, %d tickets, %d comments, %d customers, %d agents, %d attachments\n",
		m.Engine, m.Migration, m.Counts["tickets"], m.Counts["comments"], m.Counts["customers"], m.Counts["agents"], m.Counts["attachments"])
	key := false
	for _, f := range m.Files {
		key = key || f.Name == backup.SecretKeyName
	}
	switch {
	case key:
		fmt.Fprintln(stdout, "  includes the secret key: store the archive as carefully as the key itself")
	case c.SecretKey != "":
		fmt.Fprintln(stdout, "  the secret key comes from OMBUD_SECRET_KEY: keep it with your records, a restore needs it")
	default:
		fmt.Fprintln(stdout, "  without the secret key: a restore needs it to read stored mailbox passwords and webhook URLs")
	}
	if n := len(m.MissingBlobs); n > 0 {
		fmt.Fprintf(stderr, "ombud: warning: %d attachment files named in the database were not in the blob store (first: %s)\n", n, m.MissingBlobs[0])
	}
	return nil
}

// runRestore handles "ombud restore --in FILE": unpack a backup into an
// empty data directory.
func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var in, pgRestore string
	c, err := parse("restore", args, getenv, stderr, false, func(fs *flag.FlagSet) {
		fs.StringVar(&in, "in", "", "the archive written by ombud backup")
		fs.StringVar(&pgRestore, "pg-restore", "", "PostgreSQL: the pg_restore program (default: pg_restore on PATH)")
	})
	if err != nil {
		return err
	}
	if in == "" {
		return usageError{errors.New("--in is required")}
	}
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	engine := db.SQLite
	if c.DatabaseURL != "" {
		engine = db.Postgres
	}
	migrations, err := db.Migrations(engine)
	if err != nil {
		return err
	}
	start := time.Now()
	pr := progressPrinter(stderr, "restore")
	cr := &countingReader{r: f}
	m, err := backup.Restore(ctx, cr, backup.RestoreOptions{
		DataDir: c.DataDir, Migrations: migrations, Engine: engine.String(),
		DatabaseURL: c.DatabaseURL, PgRestore: pgRestore,
		Progress: func(p backup.Progress) {
			if p.Phase != "" {
				fmt.Fprintf(stderr, "restore: running %s\n", p.Phase)
				return
			}
			// The totals are in the manifest, the archive's last entry:
			// progress is the share of the archive read.
			pr(backup.Progress{Files: p.Files, Bytes: cr.n, TotalBytes: st.Size()})
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %d files (%s) into %s in %s\n", len(m.Files), byteSize(m.Bytes()), c.DataDir, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "  backup of %s by ombud %s: engine %s, migration %s, %d tickets, %d customers, %d attachments\n",
		m.CreatedAt.Format(time.RFC3339), m.Version, m.Engine, m.Migration, m.Counts["tickets"], m.Counts["customers"], m.Counts["attachments"])
	if m.Engine == db.Postgres.String() {
		if m.Has(backup.PgDumpName) {
			fmt.Fprintf(stdout, "  PostgreSQL: database restored with pg_restore into %s; row counts match the manifest\n", redactURL(c.DatabaseURL))
		} else {
			fmt.Fprintln(stdout, "  PostgreSQL: this archive has no database dump (an older ombud wrote it): restore the database with pg_restore (or your base backup) before starting ombud serve")
		}
	}
	return nil
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "the database"
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// progressPrinter reports a long command's progress on stderr at most once
// every two seconds (and not at all when it ends sooner).
func progressPrinter(w io.Writer, what string) func(backup.Progress) {
	start := time.Now()
	last := start
	return func(p backup.Progress) {
		if time.Since(last) < 2*time.Second {
			return
		}
		last = time.Now()
		if p.Phase != "" {
			fmt.Fprintf(w, "%s: %s: %s written\n", what, p.Phase, byteSize(p.Bytes))
			return
		}
		if p.TotalFiles > 0 {
			fmt.Fprintf(w, "%s: %d/%d files, %s/%s\n", what, p.Files, p.TotalFiles, byteSize(p.Bytes), byteSize(p.TotalBytes))
			return
		}
		pct := 0.0
		if p.TotalBytes > 0 {
			pct = 100 * float64(p.Bytes) / float64(p.TotalBytes)
		}
		fmt.Fprintf(w, "%s: %d files, %s/%s of the archive (%.0f%%)\n", what, p.Files, byteSize(p.Bytes), byteSize(p.TotalBytes), pct)
	}
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
