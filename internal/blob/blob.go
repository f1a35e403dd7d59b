// Package blob stores attachment contents by SHA-256 under the data
// directory, so the same file attached twice is stored once and a stored
// file can be checked against its name.
package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"

	"github.com/ombud/ombud/internal/apperr"
)

// Store is a content-addressed file store rooted at a directory.
type Store struct {
	dir string
}

// New returns a store in dir, creating it.
func New(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob: create %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

var shaRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (s *Store) path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum[2:4], sum)
}

// Put stores r (at most max bytes) and returns its SHA-256 and size. The
// file is written to a temporary name, synced and renamed, so a crash never
// leaves a partial blob under a real name.
func (s *Store) Put(r io.Reader, max int64) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(s.dir, "upload-*")
	if err != nil {
		return "", 0, fmt.Errorf("blob: temp file: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, max+1))
	if err != nil {
		return "", 0, fmt.Errorf("blob: write: %w", err)
	}
	if n > max {
		return "", 0, &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the file is larger than %d bytes", max)}
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("blob: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("blob: close: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	dst := s.path(sum)
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return "", 0, fmt.Errorf("blob: mkdir: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", 0, fmt.Errorf("blob: rename: %w", err)
	}
	// The rename is durable only once its directory is synced; callers
	// (mail ingest) acknowledge receipt right after Put.
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		serr := d.Sync()
		d.Close()
		if serr != nil {
			return "", 0, fmt.Errorf("blob: sync dir: %w", serr)
		}
	}
	return sum, n, nil
}

// Open returns the blob with the given SHA-256.
func (s *Store) Open(sum string) (*os.File, error) {
	if !shaRE.MatchString(sum) {
		return nil, apperr.NotFound("blob", sum)
	}
	f, err := os.Open(s.path(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, apperr.NotFound("blob", sum)
	}
	if err != nil {
		return nil, fmt.Errorf("blob: open: %w", err)
	}
	return f, nil
}
