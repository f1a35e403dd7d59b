package kb

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
)

// Limits of an import: a zip or folder is refused as a whole past them,
// before anything is written.
const (
	MaxImportFiles  = 5000      // files in a zip or folder
	MaxImportBytes  = 200 << 20 // all files together, uncompressed
	MaxImportRatio  = 200       // uncompressed:compressed of one zip entry over 1 MB (a zip bomb)
	MaxImportUpload = 100 << 20 // the uploaded zip itself
)

// Bundle is a folder of files to import (or just exported): slash paths
// relative to the folder, and their contents.
type Bundle struct {
	Files map[string][]byte
}

// Paths returns the bundle's paths in order.
func (b *Bundle) Paths() []string {
	out := make([]string, 0, len(b.Files))
	for p := range b.Files {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// cleanEntry checks a path from a zip or folder: relative, inside the
// folder, no backslashes or drive letters; "" for folders and for files
// an import ignores (hidden files, __MACOSX).
func cleanEntry(name string) (string, error) {
	if strings.ContainsAny(name, "\\\x00") || strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':') {
		return "", apperr.InvalidField("file", fmt.Sprintf("the archive entry %q is not a relative path inside the folder", name))
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", apperr.InvalidField("file", fmt.Sprintf("the archive entry %q leaves the folder (..)", name))
		}
	}
	clean := path.Clean(name)
	if strings.HasSuffix(name, "/") || clean == "." {
		return "", nil
	}
	for _, part := range strings.Split(clean, "/") {
		if strings.HasPrefix(part, ".") || part == "__MACOSX" {
			return "", nil
		}
	}
	return clean, nil
}

// ReadZip reads a zip of Markdown, HTML and image files. It refuses, as a
// whole: entries outside the folder (absolute paths, ..), links, more than
// MaxImportFiles files, more than MaxImportBytes uncompressed, and
// entries that expand more than MaxImportRatio times (zip bombs). Sizes
// are checked as read, not only as the archive declares them.
func ReadZip(r io.ReaderAt, size int64) (*Bundle, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, apperr.InvalidField("file", "is not a zip archive")
	}
	if len(zr.File) > MaxImportFiles {
		return nil, apperr.InvalidField("file", fmt.Sprintf("has more than %d files", MaxImportFiles))
	}
	b := &Bundle{Files: map[string][]byte{}}
	var total int64
	for _, f := range zr.File {
		name, err := cleanEntry(f.Name)
		if err != nil {
			return nil, err
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			return nil, apperr.InvalidField("file", fmt.Sprintf("the archive entry %q is a link; links are not imported", f.Name))
		}
		if name == "" || f.Mode().IsDir() {
			continue
		}
		if f.UncompressedSize64 > 1<<20 && f.UncompressedSize64 > MaxImportRatio*(f.CompressedSize64+1) {
			return nil, apperr.InvalidField("file", fmt.Sprintf("the archive entry %q expands too much (a zip bomb?)", f.Name))
		}
		if f.UncompressedSize64 > MaxImportBytes || total+int64(f.UncompressedSize64) > MaxImportBytes {
			return nil, apperr.InvalidField("file", fmt.Sprintf("expands to more than %d MB", MaxImportBytes>>20))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, apperr.InvalidField("file", fmt.Sprintf("the archive entry %q cannot be read", f.Name))
		}
		// The declared size may lie: read at most one byte past what is
		// left, and refuse the archive when that byte is there.
		data, err := io.ReadAll(io.LimitReader(rc, MaxImportBytes-total+1))
		rc.Close()
		if err != nil {
			return nil, apperr.InvalidField("file", fmt.Sprintf("the archive entry %q cannot be read", f.Name))
		}
		total += int64(len(data))
		if total > MaxImportBytes {
			return nil, apperr.InvalidField("file", fmt.Sprintf("expands to more than %d MB", MaxImportBytes>>20))
		}
		if int64(len(data)) > 1<<20 && int64(len(data)) > MaxImportRatio*int64(f.CompressedSize64+1) {
			return nil, apperr.InvalidField("file", fmt.Sprintf("the archive entry %q expands too much (a zip bomb?)", f.Name))
		}
		if _, dup := b.Files[name]; dup {
			return nil, apperr.InvalidField("file", fmt.Sprintf("the archive has %q twice", name))
		}
		b.Files[name] = data
	}
	return b, nil
}

// ReadFS reads a folder (the command line's ombud kb import DIR) with the
// same limits as a zip; links are not followed.
func ReadFS(fsys fs.FS) (*Bundle, error) {
	b := &Bundle{Files: map[string][]byte{}}
	var total int64
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		name, err := cleanEntry(p)
		if err != nil {
			return err
		}
		if name == "" {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || (!d.IsDir() && !d.Type().IsRegular()) {
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if len(b.Files) >= MaxImportFiles {
			return apperr.InvalidField("file", fmt.Sprintf("has more than %d files", MaxImportFiles))
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(f, MaxImportBytes-total+1))
		f.Close()
		if err != nil {
			return err
		}
		total += int64(len(data))
		if total > MaxImportBytes {
			return apperr.InvalidField("file", fmt.Sprintf("holds more than %d MB", MaxImportBytes>>20))
		}
		b.Files[name] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// Zip writes the bundle as a zip archive, paths in order.
func (b *Bundle) Zip(w io.Writer) error {
	zw := zip.NewWriter(w)
	for _, p := range b.Paths() {
		fw, err := zw.Create(p)
		if err != nil {
			return fmt.Errorf("kb: zip %s: %w", p, err)
		}
		if _, err := io.Copy(fw, bytes.NewReader(b.Files[p])); err != nil {
			return fmt.Errorf("kb: zip %s: %w", p, err)
		}
	}
	return zw.Close()
}
