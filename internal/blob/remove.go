package blob

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Remove deletes the blob with the given SHA-256; a missing blob is not an
// error. The caller makes sure no row refers to it any more (blobs are
// shared by every attachment with the same content).
func (s *Store) Remove(sum string) error {
	if !shaRE.MatchString(sum) {
		return nil
	}
	if err := os.Remove(s.path(sum)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("blob: remove: %w", err)
	}
	return nil
}

// Walk calls fn with the path of every stored blob (privacy tests scan
// them for erased text).
func (s *Store) Walk(fn func(path string) error) error {
	return filepath.WalkDir(s.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		return fn(p)
	})
}
