package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/kb"
)

// runKB handles "ombud kb import PATH" (a folder or a .zip of Markdown or
// HTML) and "ombud kb export FILE.zip" (docs/knowledge.md).
func runKB(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "import" && args[0] != "export") {
		return usageError{errors.New(`usage: ombud kb import DIR|FILE.zip | ombud kb export FILE.zip (run "ombud kb --help")`)}
	}
	sub := args[0]
	target, rest := positional(args[1:], "language", "visibility", "data", "database-url")
	var opt kb.ImportOptions
	c, err := parse("kb "+sub, rest, getenv, stderr, false, func(fs *flag.FlagSet) {
		if sub == "import" {
			fs.StringVar(&opt.Language, "language", "en", "language of files whose front matter or name does not say (en, nb, sv, da, sl)")
			fs.StringVar(&opt.Visibility, "visibility", "internal", "visibility of new articles whose front matter does not say: internal or public")
			fs.BoolVar(&opt.Publish, "publish", false, "publish new articles (else they are drafts)")
		}
	})
	if err != nil {
		return err
	}
	if target == "" {
		return usageError{fmt.Errorf("ombud kb %s needs a path", sub)}
	}
	sys, err := Open(ctx, c, newLogger(c, stderr), time.Now)
	if err != nil {
		return err
	}
	defer sys.Close()
	if sub == "export" {
		return exportKB(ctx, sys, target, stdout)
	}
	b, err := readBundle(target)
	if err != nil {
		return err
	}
	rep, err := sys.KB.Import(ctx, authz.System, b, opt)
	if err != nil {
		return err
	}
	for _, f := range rep.Files {
		fmt.Fprintf(stdout, "%-8s %s → article %d (%s)\n", f.Result, f.Path, f.ArticleID, f.Language)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(stderr, "problem  %s: %s\n", e.Path, e.Message)
	}
	fmt.Fprintf(stdout, "created %d, updated %d, unchanged %d, problems %d\n", rep.Created, rep.Updated, rep.Skipped, len(rep.Errors))
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d files had problems (listed above)", len(rep.Errors))
	}
	return nil
}

// positional takes the one argument that is not a flag (first or last)
// out of args; valued names the flags that take a value.
func positional(args []string, valued ...string) (string, []string) {
	if len(args) == 0 {
		return "", args
	}
	if !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	last := args[len(args)-1]
	if strings.HasPrefix(last, "-") {
		return "", args
	}
	if len(args) > 1 {
		prev := strings.TrimLeft(args[len(args)-2], "-")
		for _, v := range valued {
			if prev == v {
				return "", args
			}
		}
	}
	return last, args[:len(args)-1]
}

// readBundle reads a folder or a zip file for an import.
func readBundle(p string) (*kb.Bundle, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	if st.IsDir() {
		return kb.ReadFS(os.DirFS(p))
	}
	if !strings.EqualFold(filepath.Ext(p), ".zip") {
		return nil, usageError{fmt.Errorf("%s is neither a folder nor a .zip file", p)}
	}
	if st.Size() > kb.MaxImportUpload {
		return nil, fmt.Errorf("%s is larger than %d MB", p, kb.MaxImportUpload>>20)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", p, err)
	}
	defer f.Close()
	return kb.ReadZip(f, st.Size())
}

func exportKB(ctx context.Context, sys *System, target string, stdout io.Writer) error {
	tmp, err := os.CreateTemp(filepath.Dir(target), ".kb-export-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := sys.KB.Export(ctx, authz.System, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	fmt.Fprintf(stdout, "knowledge base written to %s\n", target)
	return nil
}
