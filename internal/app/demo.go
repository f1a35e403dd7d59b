package app

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/demo"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/page"
)

// DemoPassword is every demo agent's password; the demo is for trying Ombud
// on localhost, never for production.
const DemoPassword = "ombud-demo-2026"

// DemoLogin is what serve --demo prints.
type DemoLogin struct {
	Logins   []demo.AgentLogin
	Password string
	Token    string
}

// LoadDemo fills an empty database with the demo history (and leaves a
// non-empty one alone), then returns the sign-in details.
func (s *System) LoadDemo(ctx context.Context) (*DemoLogin, error) {
	var agents int
	if err := s.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents`).Scan(&agents); err != nil {
		return nil, fmt.Errorf("count agents: %w", err)
	}
	if agents == 0 {
		start := time.Now()
		recs := demo.Generate(demo.Options{Now: s.Now().UTC(), Seed: 2026, Password: DemoPassword})
		var buf bytes.Buffer
		if err := importer.WriteNDJSON(&buf, recs); err != nil {
			return nil, err
		}
		res, err := s.Importer.Import(ctx, authz.System, &buf)
		if err != nil {
			return nil, err
		}
		if res.Failed > 0 {
			return nil, fmt.Errorf("%d demo records failed; first: line %d: %s %v", res.Failed, res.Errors[0].Line, res.Errors[0].Error, res.Errors[0].Field)
		}
		if err := s.demoMailbox(ctx); err != nil {
			return nil, err
		}
		s.Log.Info("demo data loaded", "records", res.Imported, "took", time.Since(start).Round(time.Millisecond))
	} else {
		s.Log.Info("database not empty: demo data not loaded again")
	}
	logins := demo.Agents()
	admin, err := s.Agents.ByEmail(ctx, logins[0].Email)
	if err != nil {
		return nil, fmt.Errorf("demo admin: %w", err)
	}
	tok, _, err := s.Auth.CreateToken(ctx, authz.System, admin.ID, "demo")
	if err != nil {
		return nil, err
	}
	return &DemoLogin{Logins: logins, Password: DemoPassword, Token: tok}, nil
}

// demoMailbox adds the support address the demo's mail goes to (no relay:
// replies to demo customers are recorded as undeliverable, never sent).
func (s *System) demoMailbox(ctx context.Context) error {
	var team *int64
	if t, err := s.Agents.TeamByName(ctx, "Support"); err == nil {
		team = &t.ID
	}
	addr, name := "support@demo.ombud.test", "Ombud Demo Support"
	_, err := s.Email.CreateMailbox(ctx, authz.System, email.MailboxInput{Address: &addr, Name: &name, TeamID: team})
	if err != nil {
		return fmt.Errorf("demo mailbox: %w", err)
	}
	return nil
}

func pageOf(limit int) page.Request { return page.Request{Limit: limit} }
