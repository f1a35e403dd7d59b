package app_test

import (
	"archive/zip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKBImportExportCommands: ombud kb import reads a folder, a second
// import changes nothing, ombud kb export writes a zip that imports again
// unchanged, and an archive that leaves its folder is refused.
func TestKBImportExportCommands(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"OMBUD_DATA": data}
	dir := t.TempDir()
	write := func(p, s string) {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Orders/Returns/return.md", "# Return a parcel\n\nPrint the label.\n\n![label](img/label.png)\n")
	write("Orders/Returns/img/label.png", "\x89PNG image")
	write("Orders/Returns/return.nb.md", "# Returnere en pakke\n\nSkriv ut etiketten.\n")
	code, out, er := run(t, env, "kb", "import", dir, "--publish", "--visibility", "public")
	if code != 0 || !strings.Contains(out, "created 2, updated 0, unchanged 0, problems 0") {
		t.Fatalf("import: %d\n%s\n%s", code, out, er)
	}
	if code, out, er = run(t, env, "kb", "import", "--publish", dir); code != 0 || !strings.Contains(out, "created 0, updated 0, unchanged 2") {
		t.Fatalf("second import: %d\n%s\n%s", code, out, er)
	}
	zipPath := filepath.Join(t.TempDir(), "kb.zip")
	if code, out, er = run(t, env, "kb", "export", zipPath); code != 0 {
		t.Fatalf("export: %d\n%s\n%s", code, out, er)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	if strings.Join(names, ",") != "Orders/Returns/img/return/label.png,Orders/Returns/return.md,Orders/Returns/return.nb.md" {
		t.Fatalf("export holds %v", names)
	}
	if code, out, er = run(t, env, "kb", "import", zipPath); code != 0 || !strings.Contains(out, "created 0, updated 0, unchanged 2") {
		t.Fatalf("export imported again: %d\n%s\n%s", code, out, er)
	}
	evil := filepath.Join(t.TempDir(), "evil.zip")
	f, _ := os.Create(evil)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("../../etc/x.md")
	w.Write([]byte("# x"))
	zw.Close()
	f.Close()
	if code, _, er = run(t, env, "kb", "import", evil); code != 1 || !strings.Contains(er, "leaves the folder") {
		t.Fatalf("traversal: %d %s", code, er)
	}
	if code, _, _ = run(t, env, "kb", "import"); code != 2 {
		t.Fatalf("no path: %d", code)
	}
}
