package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
)

type subcommand func(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error

func userCommands() map[string]subcommand {
	return map[string]subcommand{"list": runUserList, "deactivate": runUserDeactivate, "reset-password": runUserResetPassword}
}

func tokenCommands() map[string]subcommand {
	return map[string]subcommand{"list": runTokenList, "revoke": runTokenRevoke}
}

// openFor parses a subcommand's flags and opens the system.
func openFor(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*System, error) {
	c, err := parse(name, args, getenv, stderr, false, extra)
	if err != nil {
		return nil, err
	}
	return Open(ctx, c, newLogger(c, stderr), time.Now)
}

// allAgents pages through every agent (the CLI acts as the system).
func allAgents(ctx context.Context, sys *System, role authz.Role) ([]agent.Agent, error) {
	var out []agent.Agent
	f := agent.Filter{Role: role, Page: page.Request{Limit: page.MaxLimit}}
	for {
		l, err := sys.Agents.ListAgents(ctx, authz.System, f)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Data...)
		if l.NextCursor == nil {
			return out, nil
		}
		cur, err := page.Decode(*l.NextCursor)
		if err != nil {
			return nil, err
		}
		f.Page.Cursor = cur
	}
}

func runUserList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var role string
	var all bool
	sys, err := openFor(ctx, "user list", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&role, "role", "", "only agents with this role")
		fs.BoolVar(&all, "all", false, "deactivated agents too")
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	if role != "" && !authz.Role(role).Valid() {
		return usageError{fmt.Errorf("--role %q: want admin, manager, agent, qa_reviewer or collaborator", role)}
	}
	agents, err := allAgents(ctx, sys, authz.Role(role))
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSTATUS")
	for _, a := range agents {
		status := "active"
		if !a.Active {
			if !all {
				continue
			}
			status = "deactivated"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", a.ID, a.Email, oneLine(a.Name), a.Role, status)
	}
	return tw.Flush()
}

func runUserDeactivate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email string
	sys, err := openFor(ctx, "user deactivate", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the agent's email address")
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	if email == "" {
		return usageError{errors.New("--email is required")}
	}
	a, err := sys.Agents.ByEmail(ctx, email)
	if err != nil {
		return err
	}
	if !a.Active {
		fmt.Fprintf(stdout, "%s was already deactivated\n", a.Email)
		return nil
	}
	if err := sys.Agents.DeactivateAgent(ctx, authz.System, a.ID); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "deactivated %s (id %d): sessions ended, API tokens revoked\n", a.Email, a.ID)
	return nil
}

func runUserResetPassword(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email, password string
	sys, err := openFor(ctx, "user reset-password", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "the agent's email address")
		fs.StringVar(&password, "password", "", "the new password (generated and printed when empty)")
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	if email == "" {
		return usageError{errors.New("--email is required")}
	}
	a, err := sys.Agents.ByEmail(ctx, email)
	if err != nil {
		return err
	}
	generated := password == ""
	if generated {
		password = randomPassword()
	}
	if err := sys.Auth.SetPassword(ctx, authz.System, a.ID, password); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "password set for %s; their sessions were ended\n", a.Email)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	if !a.Active {
		fmt.Fprintf(stdout, "note: %s is deactivated and cannot sign in\n", a.Email)
	}
	return nil
}

func runTokenList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var email string
	var all bool
	sys, err := openFor(ctx, "token list", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&email, "email", "", "only this agent's tokens")
		fs.BoolVar(&all, "all", false, "revoked tokens too")
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	var agents []agent.Agent
	if email != "" {
		a, err := sys.Agents.ByEmail(ctx, email)
		if err != nil {
			return err
		}
		agents = []agent.Agent{a}
	} else if agents, err = allAgents(ctx, sys, ""); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tAGENT\tNAME\tPREFIX\tCREATED\tLAST USED\tSTATUS")
	for _, a := range agents {
		toks, err := sys.Auth.ListTokens(ctx, authz.System, a.ID)
		if err != nil {
			return err
		}
		for _, t := range toks {
			if t.RevokedAt != nil && !all {
				continue
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s…\t%s\t%s\t%s\n", t.ID, a.Email, orDash(oneLine(t.Name)), t.Prefix,
				t.CreatedAt.UTC().Format(time.DateTime), timeOrDash(t.LastUsedAt), tokenStatus(t, a))
		}
	}
	return tw.Flush()
}

func tokenStatus(t auth.Token, a agent.Agent) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked " + t.RevokedAt.UTC().Format(time.DateTime)
	case !a.Active:
		return "agent deactivated"
	}
	return "active"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.UTC().Format(time.DateTime)
}

func runTokenRevoke(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var id string
	sys, err := openFor(ctx, "token revoke", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&id, "id", "", "the token's id (from ombud token list)")
	})
	if err != nil {
		return err
	}
	defer sys.Close()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return usageError{errors.New("--id is required: a token id from ombud token list")}
	}
	if err := sys.Auth.RevokeToken(ctx, authz.System, n); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "revoked token %d\n", n)
	return nil
}
