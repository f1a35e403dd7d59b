package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportVendorCommand: `ombud import --format zendesk PATH` imports an
// export folder with a summary on standard output, a second run skips
// every ticket, and a Freshdesk CSV names the row it could not import
// and exits non-zero.
func TestImportVendorCommand(t *testing.T) {
	env := map[string]string{"OMBUD_DATA": t.TempDir(), "OMBUD_LOG_LEVEL": "warn"}
	dir := filepath.Join(t.TempDir(), "zendesk")
	if err := os.CopyFS(dir, os.DirFS("../importer/zendesk/testdata/export")); err != nil {
		t.Fatal(err)
	}
	code, out, er := run(t, env, "import", "--format", "zendesk", dir)
	if code != 0 || !strings.Contains(out, "imported 20, skipped 0, failed 0") || !strings.Contains(er, "5/5 tickets") {
		t.Fatalf("exit %d: %s %s", code, out, er)
	}
	if _, err := os.Stat(dir + ".checkpoint"); !os.IsNotExist(err) {
		t.Errorf("the checkpoint of a finished import is left: %v", err)
	}
	code, out, er = run(t, env, "import", "--quiet", "--format", "zendesk", "--resume", dir)
	if code != 0 || !strings.Contains(out, "skipped 5, failed 0") || er != "" {
		t.Fatalf("again: exit %d: %s %s", code, out, er)
	}
	code, out, _ = run(t, env, "import", "--format=freshdesk", "--quiet", "../importer/freshdesk/testdata/csv/tickets.csv")
	if code != 1 || !strings.Contains(out, "failed 1") || !strings.Contains(out, `tickets.csv: row 5 (ticket 2103): Priority "Enormous"`) {
		t.Fatalf("csv: exit %d: %s", code, out)
	}
	if code, _, er := run(t, env, "import", "--format", "zendesk"); code != 2 || !strings.Contains(er, "needs the export's path") {
		t.Fatalf("no path: exit %d: %s", code, er)
	}
	if code, _, er := run(t, env, "import", "--format", "kayako", dir); code != 2 || !strings.Contains(er, "--format must be") {
		t.Fatalf("unknown format: exit %d: %s", code, er)
	}
}
