package app

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ombud/ombud/internal/config"
)

// Print tells the person who started serve --demo what they can do, and
// only what is true of this start.
func (d *DemoLogin) Print(w io.Writer, url string) {
	switch {
	case d.Other:
		fmt.Fprintln(w, "--demo: this database already holds data that is not the demo, so no demo data was loaded.")
		return
	case d.Loaded:
		fmt.Fprintf(w, "Demo data loaded. Sign in at %s/login\n", url)
	default:
		fmt.Fprintf(w, "Demo data was loaded on an earlier start (not loaded again). Sign in at %s/login\n", url)
	}
	for _, l := range d.Logins {
		fmt.Fprintf(w, "  %-13s %-26s password: %s\n", l.Role, l.Email, d.Password)
	}
	if d.Loaded {
		fmt.Fprintf(w, "API token (admin): %s\n", d.Token)
		return
	}
	if len(d.Logins) > 0 {
		fmt.Fprintf(w, "(Passwords as the demo set them, unless changed since.) An API token is shown once, when made: use the one printed on the first start, or make another with\n  ombud token create --email %s\n", d.Logins[0].Email)
	}
}

// adminHint tells the operator of a fresh installation how to make the
// first admin: with none, nobody can sign in.
func (s *System) adminHint(ctx context.Context, w io.Writer, c config.Config) {
	var n int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE role = 'admin' AND active = ?`, true).Scan(&n); err != nil {
		s.Log.Warn("count admins", "err", err)
		return
	}
	if n > 0 {
		return
	}
	where, same := "", ""
	switch {
	case c.DatabaseURL != "":
		// The URL may hold a password: name it, never print it.
		where, same = ` --database-url "$OMBUD_DATABASE_URL"`, " (with this server's database URL)"
	case c.DataDir != config.Defaults().DataDir:
		where = " --data " + shellQuote(c.DataDir)
	}
	fmt.Fprintf(w, "No admin yet: nobody can sign in. Create one%s, in another terminal while the server runs:\n  ombud user create%s --email you@example.com --name \"Your Name\" --role admin\n", same, where)
}

func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " '\"$`\\!*?[]{}();&|<>#~") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
