package app

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ombud/ombud/internal/config"
)

// command documents one command line for --help.
type command struct {
	path     string // "user create"
	synopsis string // what follows "ombud PATH"
	summary  string
	examples []string
}

// commandTable lists every command and subcommand; TestCommandHelp runs
// each with --help and -h.
func commandTable() []command {
	return []command{
		{"serve", "[--addr HOST:PORT] [--data DIR | --database-url URL] [--smtp-addr HOST:PORT] [--demo] [--access-log MODE] …",
			"Run Ombud: web UI, API, SMTP listener, IMAP pollers and background jobs.",
			[]string{"ombud serve --demo", "OMBUD_DATABASE_URL=postgres://ombud@db/ombud ombud serve --addr 0.0.0.0:8080 --base-url https://support.example.com"}},
		{"migrate", "[--data DIR | --database-url URL]",
			"Apply pending database migrations (serve does it too, at start). Migrations are forward-only: back up first.",
			[]string{"ombud migrate --data /var/lib/ombud"}},
		{"user", "create|list|deactivate|reset-password [flags]", "Manage agents.",
			[]string{"ombud user create --email ada@example.com --name 'Ada Lovelace' --role admin", "ombud user list"}},
		{"user create", "--email EMAIL --name NAME [--role ROLE] [--password PASSWORD]",
			"Create an agent; prints the generated password when --password is empty.",
			[]string{"ombud user create --email ada@example.com --name 'Ada Lovelace' --role admin"}},
		{"user list", "[--role ROLE] [--all]", "List active agents (with --all, deactivated ones too).",
			[]string{"ombud user list --role admin"}},
		{"user deactivate", "--email EMAIL", "Deactivate an agent: no sign-in, sessions ended, API tokens revoked; their history stays.",
			[]string{"ombud user deactivate --email former@example.com"}},
		{"user reset-password", "--email EMAIL [--password PASSWORD]",
			"Set an agent's password (generated and printed when --password is empty) and end their sessions.",
			[]string{"ombud user reset-password --email ada@example.com"}},
		{"token", "create|list|revoke [flags]", "Manage API tokens.",
			[]string{"ombud token create --email ada@example.com", "ombud token list"}},
		{"token create", "--email EMAIL [--name NAME]", "Create an API token acting as an agent; prints the token and nothing else.",
			[]string{"TOKEN=$(ombud token create --email ada@example.com --name ci)"}},
		{"token list", "[--email EMAIL] [--all]", "List API tokens (one agent's with --email; with --all, revoked ones too). Secrets are never shown.",
			[]string{"ombud token list --email ada@example.com"}},
		{"token revoke", "--id ID", "Revoke an API token at once (ids from ombud token list).",
			[]string{"ombud token revoke --id 12"}},
		{"import", "[--file FILE.ndjson] [--format zendesk|freshdesk PATH] [--resume] [--quiet]", "Import history from NDJSON (standard input without --file), or a Zendesk or Freshdesk export (a folder, zip or file); progress on standard error; --resume continues after FILE.checkpoint (PATH.checkpoint).",
			[]string{"ombud import --file history.ndjson", "ombud import --file history.ndjson --resume", "zcat history.ndjson.gz | ombud import", "ombud import --format zendesk ./zendesk-export", "ombud import --format freshdesk freshdesk-export.zip --resume"}},
		{"kb", "import|export [flags] PATH", "Import or export the knowledge base.",
			[]string{"ombud kb import ./help-articles --language nb --publish", "ombud kb export knowledge.zip"}},
		{"kb import", "[--language LANG] [--visibility internal|public] [--publish] DIR|FILE.zip",
			"Import a folder or zip of Markdown or HTML files with their images as articles; a second import of the same files updates them. Prints created, updated and unchanged files and each file's problem.",
			[]string{"ombud kb import ./help-articles", "ombud kb import export.zip --language nb --visibility public --publish"}},
		{"kb export", "FILE.zip", "Write the whole knowledge base as a zip of Markdown (every language, categories and sections as folders, front matter, images).",
			[]string{"ombud kb export knowledge.zip"}},
		{"report", "rebuild", "Report maintenance.", []string{"ombud report rebuild"}},
		{"report rebuild", "", "Recompute every ticket's report facts from the event log (after a restore, or changed SLA policies).",
			[]string{"ombud report rebuild --data /var/lib/ombud"}},
		{"secrets", "rotate", "Stored-credential maintenance.", []string{"OMBUD_SECRET_KEY=NEW,OLD ombud secrets rotate"}},
		{"secrets rotate", "", "Re-encrypt stored credentials with the current secret key (OMBUD_SECRET_KEY=NEW,OLD).",
			[]string{"OMBUD_SECRET_KEY=$(cat new.key),$(cat old.key) ombud secrets rotate"}},
		{"backup", "--out FILE [--no-secret-key] [--pg-dump PATH]",
			"Write a consistent backup of the database, attachments and secret key while Ombud runs: a SQLite snapshot, or on PostgreSQL a pg_dump (custom format; pg_dump of the server's major version or newer, from postgresql-client).",
			[]string{"ombud backup --data /var/lib/ombud --out /var/backups/ombud-$(date +%F).tar.gz",
				"OMBUD_DATABASE_URL=postgres://ombud@db/ombud ombud backup --data /var/lib/ombud --out /var/backups/ombud-$(date +%F).tar.gz"}},
		{"restore", "--in FILE [--pg-restore PATH]", "Restore a backup into an empty data directory and, on PostgreSQL, an empty database (checksums, integrity and row counts verified).",
			[]string{"ombud restore --data /var/lib/ombud-new --in /var/backups/ombud-2026-05-01.tar.gz",
				"createdb ombud_new && OMBUD_DATABASE_URL=postgres://ombud@db/ombud_new ombud restore --data /var/lib/ombud-new --in /var/backups/ombud-2026-05-01.tar.gz"}},
		{"version", "", "Print the version, commit, build date and Go version.", []string{"ombud version"}},
		{"help", "[COMMAND]", "Show help for Ombud or a command.", []string{"ombud help user create"}},
	}
}

func findCommand(path string) (command, bool) {
	i := slices.IndexFunc(commandTable(), func(c command) bool { return c.path == path })
	if i < 0 {
		return command{}, false
	}
	return commandTable()[i], true
}

// isHelpFlag reports a request for help.
func isHelpFlag(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// wantsHelp reports whether args ask for help (before any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if isHelpFlag(a) {
			return true
		}
	}
	return false
}

// tableHelp answers --help for the commands whose help is all in the table:
// groups (ombud user --help), flagless ones (ombud version --help) and
// "ombud help COMMAND". ok is false for a command with flags, whose help
// its flag set prints (so every flag is listed).
func tableHelp(args []string, w io.Writer) (ok bool) {
	var words []string
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			words = append(words, a)
		}
	}
	if len(words) > 0 && words[0] == "help" && len(words) > 1 {
		words = words[1:]
	}
	if len(words) > 2 {
		words = words[:2]
	}
	for len(words) > 0 {
		c, found := findCommand(strings.Join(words, " "))
		if !found {
			words = words[:len(words)-1]
			continue
		}
		switch c.path {
		case "version", "help", "user", "token", "report", "secrets", "kb":
			writeHelp(w, c, nil)
			return true
		}
		return false
	}
	fmt.Fprint(w, usage)
	return true
}

// flagUsage is the flag set's Usage: the full help when asked for, else a
// pointer to it (after the flag package's own one-line error).
func flagUsage(fs *flag.FlagSet, name string, args []string) func() {
	return func() {
		if !wantsHelp(args) {
			fmt.Fprintf(fs.Output(), "Run \"ombud %s --help\" for usage.\n", name)
			return
		}
		c, ok := findCommand(name)
		if !ok {
			c = command{path: name}
		}
		writeHelp(fs.Output(), c, fs)
	}
}

// writeHelp prints a command's help: usage line, summary, flags as --flag
// (with their environment variable when they have one) and examples.
func writeHelp(w io.Writer, c command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: ombud %s %s\n\n%s\n", c.path, c.synopsis, c.summary)
	if c.path == "user" || c.path == "token" || c.path == "report" || c.path == "secrets" || c.path == "kb" {
		fmt.Fprintln(w, "\nCommands:")
		for _, s := range commandTable() {
			if sub, ok := strings.CutPrefix(s.path, c.path+" "); ok {
				fmt.Fprintf(w, "  %-16s %s\n", sub, s.summary)
			}
		}
		fmt.Fprintf(w, "\nRun \"ombud %s COMMAND --help\" for a command's flags.\n", c.path)
	}
	if fs != nil {
		env := envFlags(c.path == "serve")
		fmt.Fprintln(w, "\nFlags:")
		fs.VisitAll(func(f *flag.Flag) {
			typ, text := flag.UnquoteUsage(f)
			line := "  --" + f.Name
			if typ != "" {
				line += " " + strings.ToUpper(typ)
			}
			fmt.Fprintln(w, line)
			extra := ""
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
				extra = fmt.Sprintf(" (default %s)", f.DefValue)
			}
			if env[f.Name] {
				extra += " [$" + "OMBUD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_")) + "]"
			}
			fmt.Fprintf(w, "      %s%s\n", text, extra)
		})
	}
	if len(c.examples) > 0 {
		fmt.Fprintln(w, "\nExamples:")
		for _, e := range c.examples {
			fmt.Fprintln(w, "  "+e)
		}
	}
}

// envFlags names the flags also read from OMBUD_* variables: those the
// configuration binds.
func envFlags(serve bool) map[string]bool {
	c := config.Defaults()
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	c.Bind(fs, func(string) string { return "" }, serve)
	out := map[string]bool{}
	fs.VisitAll(func(f *flag.Flag) { out[f.Name] = true })
	return out
}
