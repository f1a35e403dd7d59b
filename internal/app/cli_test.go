package app_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestCommandHelp runs every command and subcommand with --help and -h
// (and through "ombud help"): exit 0, the help on standard output with a
// usage line, an example, and flags written as --flag.
func TestCommandHelp(t *testing.T) {
	commands := [][]string{
		{}, {"serve"}, {"migrate"}, {"user"}, {"user", "create"}, {"user", "list"}, {"user", "deactivate"}, {"user", "reset-password"},
		{"token"}, {"token", "create"}, {"token", "list"}, {"token", "revoke"}, {"import"}, {"report"}, {"report", "rebuild"},
		{"secrets"}, {"secrets", "rotate"}, {"kb"}, {"kb", "import"}, {"kb", "export"}, {"backup"}, {"restore"}, {"version"}, {"help"},
	}
	singleDash := regexp.MustCompile(`(?m)^\s+-[a-z]`)
	env := map[string]string{"OMBUD_DATA": t.TempDir()}
	for _, c := range commands {
		for _, form := range []string{"--help", "-h", "help"} {
			args := append(append([]string{}, c...), form)
			if form == "help" {
				args = append([]string{"help"}, c...)
			}
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				code, out, er := run(t, env, args...)
				if code != 0 {
					t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, er)
				}
				if !strings.Contains(out, "Usage") || !strings.Contains(out, "ombud "+strings.Join(c, " ")) {
					t.Fatalf("no usage line for %q:\n%s", c, out)
				}
				if len(c) > 0 && !strings.Contains(out, "Example") {
					t.Fatalf("no example:\n%s", out)
				}
				if singleDash.MatchString(out) {
					t.Fatalf("a flag shown with one dash:\n%s", out)
				}
				if strings.Contains(er, "Usage") {
					t.Fatalf("help went to standard error:\n%s", er)
				}
			})
		}
	}
	// Bad usage is still an error: one line on stderr and a pointer to --help.
	code, _, er := run(t, env, "user", "list", "--nope")
	if code != 2 || !strings.Contains(er, `"ombud user list --help"`) || strings.Contains(er, "Flags:") {
		t.Fatalf("bad flag: exit %d, stderr %q", code, er)
	}
}
