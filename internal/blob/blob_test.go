package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
)

func TestPutOpen(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	body := "hello attachment"
	sum, n, err := s.Put(strings.NewReader(body), 1024)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256([]byte(body))
	if sum != hex.EncodeToString(want[:]) || n != int64(len(body)) {
		t.Fatalf("Put = %s %d", sum, n)
	}
	// Same content again: same name, still readable.
	if sum2, _, err := s.Put(strings.NewReader(body), 1024); err != nil || sum2 != sum {
		t.Fatalf("second Put = %s, %v", sum2, err)
	}
	f, err := s.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, _ := io.ReadAll(f)
	if string(got) != body {
		t.Fatalf("read %q", got)
	}
	if _, _, err := s.Put(strings.NewReader(strings.Repeat("x", 2000)), 1024); !apperr.Is(err, apperr.CodeTooLarge) {
		t.Fatalf("oversize: %v", err)
	}
	for _, bad := range []string{"", "../etc/passwd", strings.Repeat("0", 64)} {
		if _, err := s.Open(bad); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("Open(%q) = %v", bad, err)
		}
	}
}
