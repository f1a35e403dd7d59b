package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/ombud/ombud/internal/db"
)

// RestoreOptions configure Restore.
type RestoreOptions struct {
	DataDir string // must be empty or not exist
	// Migrations are the migrations this binary knows (db.Migrations): an
	// archive from a newer Ombud is refused, as its schema is unknown here.
	Migrations []string
	// Engine is the engine configured (sqlite or postgres): an archive
	// of the other is refused rather than restored where nothing reads it.
	Engine string
	// DatabaseURL is the empty PostgreSQL database a dump is restored
	// into, with PgRestore (default: pg_restore on PATH).
	DatabaseURL string
	PgRestore   string
	Progress    func(Progress)
}

// Restore unpacks an archive into an empty data directory. Files are
// written to a staging directory inside it, checked against the manifest
// (names, sizes, SHA-256) and the database checked with PRAGMA
// integrity_check (SQLite) or loaded by pg_restore into the empty
// database o.DatabaseURL names and its row counts compared (PostgreSQL),
// and only then moved into place; on any failure the data directory is
// left empty again.
func Restore(ctx context.Context, r io.Reader, o RestoreOptions) (m *Manifest, err error) {
	if err := requireEmpty(o.DataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.DataDir, 0o750); err != nil {
		return nil, fmt.Errorf("restore: create %s: %w", o.DataDir, err)
	}
	var rb [6]byte
	_, _ = rand.Read(rb[:])
	stage := filepath.Join(o.DataDir, ".restore-"+hex.EncodeToString(rb[:]))
	if err := os.Mkdir(stage, 0o700); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	defer func() {
		os.RemoveAll(stage)
		if err != nil {
			clearDir(o.DataDir)
		}
	}()
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("restore: not a backup archive (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	got := map[string]File{}
	var prog Progress
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("restore: read archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg || !validName(h.Name) {
			return nil, fmt.Errorf("restore: unexpected entry %q: not an Ombud backup", h.Name)
		}
		if _, dup := got[h.Name]; dup {
			return nil, fmt.Errorf("restore: entry %q appears twice", h.Name)
		}
		if h.Name == ManifestName {
			if m != nil {
				return nil, errors.New("restore: two manifests")
			}
			m = &Manifest{}
			if err := json.NewDecoder(io.LimitReader(tr, 64<<20)).Decode(m); err != nil {
				return nil, fmt.Errorf("restore: read manifest: %w", err)
			}
			continue
		}
		f, err := writeFile(filepath.Join(stage, filepath.FromSlash(h.Name)), tr)
		if err != nil {
			return nil, err
		}
		f.Name = h.Name
		got[h.Name] = f
		prog.Files++
		prog.Bytes += f.Size
		if o.Progress != nil {
			o.Progress(prog)
		}
	}
	if m == nil {
		return nil, errors.New("restore: the archive has no manifest: incomplete or not an Ombud backup")
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("restore: archive format %d is not supported (this ombud reads %d)", m.Format, FormatVersion)
	}
	if err := verify(m, got); err != nil {
		return nil, err
	}
	if o.Engine != "" && m.Engine != o.Engine {
		if m.Engine == db.Postgres.String() {
			return nil, errors.New("restore: this archive is of a PostgreSQL installation: restore it with --database-url naming a new, empty database (nothing was changed)")
		}
		return nil, fmt.Errorf("restore: this archive holds a %s database, but %s is configured (--database-url): unset it to restore into --data (nothing was changed)", m.Engine, o.Engine)
	}
	_, pgDump := got[PgDumpName]
	if m.Engine == db.SQLite.String() || pgDump {
		if m.Migration != "" && o.Migrations != nil && !slices.Contains(o.Migrations, m.Migration) {
			return nil, fmt.Errorf("restore: the backup's schema is at migration %s, which this ombud does not know: restore it with the version that wrote it (%s) or a newer one", m.Migration, m.Version)
		}
	}
	if m.Engine == db.SQLite.String() {
		if _, ok := got[DatabaseName]; !ok {
			return nil, errors.New("restore: the archive has no database")
		}
		if err := integrityCheck(ctx, filepath.Join(stage, DatabaseName)); err != nil {
			return nil, err
		}
	}
	// A PostgreSQL archive without a dump is one written before ombud
	// backup ran pg_dump: its database was restored separately.
	if pgDump {
		dump := filepath.Join(stage, PgDumpName)
		if err := restorePostgres(ctx, o, dump, m); err != nil {
			return nil, err
		}
		// The dump lives in the database now, not in the data directory.
		if err := os.Remove(dump); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	// Into place: the database, the key, then the blob store.
	entries, err := os.ReadDir(stage)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	for _, e := range entries {
		if err := os.Rename(filepath.Join(stage, e.Name()), filepath.Join(o.DataDir, e.Name())); err != nil {
			return nil, fmt.Errorf("restore: move %s into place: %w", e.Name(), err)
		}
	}
	if err := syncDir(o.DataDir); err != nil {
		return nil, err
	}
	return m, nil
}

// verify checks the files read against the manifest: the same names,
// sizes and checksums, nothing missing, nothing extra.
func verify(m *Manifest, got map[string]File) error {
	want := map[string]bool{}
	for _, f := range m.Files {
		want[f.Name] = true
		g, ok := got[f.Name]
		if !ok {
			return fmt.Errorf("restore: %s is in the manifest but not in the archive", f.Name)
		}
		if g.Size != f.Size || g.SHA256 != f.SHA256 {
			return fmt.Errorf("restore: %s is damaged: checksum %s, size %d; the manifest says %s, size %d", f.Name, g.SHA256, g.Size, f.SHA256, f.Size)
		}
	}
	for name := range got {
		if !want[name] {
			return fmt.Errorf("restore: %s is in the archive but not in its manifest", name)
		}
	}
	return nil
}

func writeFile(path string, r io.Reader) (File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return File{}, fmt.Errorf("restore: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return File{}, fmt.Errorf("restore: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("restore: write %s: %w", path, err)
	}
	return File{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

func integrityCheck(ctx context.Context, path string) error {
	c, err := db.ReadOnlySQLite(path)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer c.Close()
	var res string
	if err := c.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil {
		return fmt.Errorf("restore: integrity check: %w", err)
	}
	if res != "ok" {
		return fmt.Errorf("restore: the database in the archive fails its integrity check: %s", res)
	}
	return nil
}

// requireEmpty refuses a data directory that holds anything: a restore
// never mixes with, or overwrites, live data.
func requireEmpty(dir string) error {
	if dir == "" {
		return errors.New("restore: a data directory is required")
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if len(entries) > 0 {
		return fmt.Errorf("restore: %s is not empty: restore into an empty or new directory (nothing was changed)", dir)
	}
	return nil
}

func clearDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("restore: sync %s: %w", dir, err)
	}
	return nil
}
