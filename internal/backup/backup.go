// Package backup writes and restores an Ombud backup archive: a tar.gz
// holding a consistent snapshot of the SQLite database, the attachment
// store (blobs/), the generated secret key when there is one, and a
// manifest (manifest.json, the last entry) with the version, migration
// level, row counts and every file's size and SHA-256.
//
// On PostgreSQL the database is a pg_dump (custom format) of one exported
// snapshot, in which the manifest's counts are read too; base backups with
// WAL archiving remain the better tool for large installations.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
)

// FormatVersion is the archive layout; Restore refuses others.
const FormatVersion = 1

// Names of the entries in an archive.
const (
	DatabaseName  = "ombud.db"
	SecretKeyName = "secret.key"
	ManifestName  = "manifest.json"
	blobsDir      = "blobs"
)

// Manifest describes an archive.
type Manifest struct {
	Format    int       `json:"format"`
	Version   string    `json:"version"` // the ombud that wrote it
	Engine    string    `json:"engine"`  // sqlite or postgres
	CreatedAt time.Time `json:"created_at"`
	// Migration is the last migration applied to the database backed up.
	Migration string `json:"migration"`
	// Counts are rows in the snapshot the archive holds (on PostgreSQL
	// the one pg_dump read), for a glance and a check after restoring.
	Counts map[string]int64 `json:"counts"`
	// MissingBlobs are attachments the database names whose file was not
	// in the blob store when it was copied.
	MissingBlobs []string `json:"missing_blobs,omitempty"`
	Files        []File   `json:"files"`
}

// File is one entry of the archive.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// Bytes is the total size of the files.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Size
	}
	return n
}

// Has reports whether the archive holds the named file.
func (m *Manifest) Has(name string) bool {
	for _, f := range m.Files {
		if f.Name == name {
			return true
		}
	}
	return false
}

// Progress reports how far a backup or restore is: files and bytes done
// out of the totals (totals are 0 when not known, as in a restore before
// the manifest is read).
type Progress struct {
	// Phase names a step that runs before files are archived or after
	// they are unpacked ("pg_dump", "pg_restore"); Bytes is then what it
	// has written so far.
	Phase             string
	Files, TotalFiles int
	Bytes, TotalBytes int64
}

// Options configure Create.
type Options struct {
	DataDir string // holds blobs/ and secret.key (and ombud.db on SQLite)
	DB      *db.DB // the open database (not migrated by the backup)
	Version string
	// SecretKey includes DataDir/secret.key when it exists: without it,
	// credentials sealed in the database cannot be read after a restore
	// unless the key is kept elsewhere (OMBUD_SECRET_KEY).
	SecretKey bool
	// TempDir holds the database snapshot while it is archived (default:
	// the system's temporary directory); it needs the database's size.
	TempDir string
	// DatabaseURL is the PostgreSQL database pg_dump reads, and PgDump
	// the program (default: pg_dump on PATH).
	DatabaseURL string
	PgDump      string
	Now         func() time.Time
	Progress    func(Progress)
}

// counted are the tables whose row counts the manifest records.
var counted = []string{"tickets", "comments", "ticket_events", "customers", "organizations", "agents", "attachments"}

// Create writes an archive of the data to w and returns its manifest.
func Create(ctx context.Context, w io.Writer, o Options) (*Manifest, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	m := &Manifest{Format: FormatVersion, Version: o.Version, Engine: o.DB.Dialect().String(), CreatedAt: o.Now().UTC().Truncate(time.Second), Counts: map[string]int64{}}
	type source struct{ name, path string }
	var files []source
	var q interface {
		QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
		QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	} = o.DB
	if o.DB.Dialect() == db.SQLite {
		tmp, err := os.MkdirTemp(o.TempDir, "ombud-backup-*")
		if err != nil {
			return nil, fmt.Errorf("backup: temporary directory: %w", err)
		}
		defer os.RemoveAll(tmp)
		snap := filepath.Join(tmp, DatabaseName)
		if err := o.DB.SnapshotSQLite(ctx, snap); err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		c, err := db.ReadOnlySQLite(snap)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		defer c.Close()
		q = c
		files = append(files, source{DatabaseName, snap})
	}
	if o.DB.Dialect() == db.Postgres {
		tx, cleanup, err := snapshotPostgres(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		defer cleanup()
		q = tx.tx
		files = append(files, source{PgDumpName, tx.file})
	}
	// Counts and the level come from the snapshot itself on SQLite, so the
	// manifest describes exactly what the archive holds.
	lvl, err := db.MigrationLevelOf(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	m.Migration = lvl
	for _, t := range counted {
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("backup: count %s: %w", t, err)
		}
		m.Counts[t] = n
	}
	// Blobs are written before the rows naming them are committed and are
	// never changed, so the store copied after the snapshot holds every
	// blob the snapshot names (unless one was deleted in between).
	blobs, err := listBlobs(filepath.Join(o.DataDir, blobsDir))
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, b := range blobs {
		have[filepath.Base(b)] = true
		files = append(files, source{blobsDir + "/" + filepath.ToSlash(b), filepath.Join(o.DataDir, blobsDir, b)})
	}
	rows, err := q.QueryContext(ctx, "SELECT DISTINCT sha256 FROM attachments")
	if err != nil {
		return nil, fmt.Errorf("backup: list attachments: %w", err)
	}
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			rows.Close()
			return nil, fmt.Errorf("backup: list attachments: %w", err)
		}
		if !have[sum] {
			m.MissingBlobs = append(m.MissingBlobs, sum)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("backup: list attachments: %w", err)
	}
	if o.SecretKey {
		p := filepath.Join(o.DataDir, SecretKeyName)
		if _, err := os.Stat(p); err == nil {
			files = append(files, source{SecretKeyName, p})
		}
	}

	var prog Progress
	for _, f := range files {
		st, err := os.Stat(f.path)
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		prog.TotalFiles++
		prog.TotalBytes += st.Size()
	}
	report := func() {
		if o.Progress != nil {
			o.Progress(prog)
		}
	}
	report()
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		file, err := addFile(tw, f.name, f.path, m.CreatedAt)
		if err != nil {
			return nil, err
		}
		m.Files = append(m.Files, file)
		prog.Files++
		prog.Bytes += file.Size
		report()
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("backup: manifest: %w", err)
	}
	if err := tw.WriteHeader(&tar.Header{Name: ManifestName, Mode: 0o600, Size: int64(len(body)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("backup: write manifest: %w", err)
	}
	if _, err := tw.Write(body); err != nil {
		return nil, fmt.Errorf("backup: write manifest: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: finish archive: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("backup: finish archive: %w", err)
	}
	return m, nil
}

// addFile copies one file into the archive, hashing it on the way.
func addFile(tw *tar.Writer, name, path string, mtime time.Time) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return File{}, fmt.Errorf("backup: %w", err)
	}
	// Size comes from the open file; blobs and the snapshot never change
	// once written, so it cannot grow under the copy.
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: mtime, Typeflag: tar.TypeReg}); err != nil {
		return File{}, fmt.Errorf("backup: %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), f)
	if err != nil {
		return File{}, fmt.Errorf("backup: copy %s: %w", name, err)
	}
	return File{Name: name, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

var blobName = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{64}$`)

// listBlobs returns the stored blobs' paths relative to dir, sorted;
// uploads still being written (temporary names) are left out.
func listBlobs(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipDir
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		if blobName.MatchString(filepath.ToSlash(rel)) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("backup: list blobs: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

// validName reports whether an archive entry is one Ombud writes (and so
// safe to create under the data directory).
func validName(name string) bool {
	if name == DatabaseName || name == PgDumpName || name == SecretKeyName || name == ManifestName {
		return true
	}
	rest, ok := strings.CutPrefix(name, blobsDir+"/")
	return ok && blobName.MatchString(rest)
}
