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
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
)

// DemoPassword is every demo agent's password; the demo is for trying Ombud
// on localhost, never for production.
const DemoPassword = "ombud-demo-2026"

// DemoLogin is what serve --demo prints (demostart.go).
type DemoLogin struct {
	Logins   []demo.AgentLogin
	Password string
	// Loaded is true when this start loaded the demo; Token is then a new
	// API token for the demo admin. A later start mints none: a token is
	// shown once, and one per start would pile up unused tokens.
	Loaded bool
	Token  string
	// Other is true when the database holds data that is not the demo:
	// nothing was loaded and there are no demo sign-ins.
	Other bool
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
		if err := s.demoFields(ctx); err != nil {
			return nil, err
		}
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
		if err := s.demoRules(ctx); err != nil {
			return nil, err
		}
		if err := s.demoForms(ctx); err != nil { // demoforms.go
			return nil, err
		}
		if err := s.demoReturns(ctx); err != nil { // orders.go
			return nil, err
		}
		s.Log.Info("demo data loaded", "records", res.Imported, "took", time.Since(start).Round(time.Millisecond))
	}
	logins := demo.Agents()
	admin, err := s.Agents.ByEmail(ctx, logins[0].Email)
	if agents > 0 {
		if err != nil {
			s.Log.Info("database holds other data: demo data not loaded")
			return &DemoLogin{Other: true}, nil
		}
		s.Log.Info("demo data loaded before: not loaded again")
		return &DemoLogin{Logins: logins, Password: DemoPassword}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("demo admin: %w", err)
	}
	if err := s.demoKnowledge(ctx, admin.ID); err != nil { // kb.go
		return nil, err
	}
	tok, _, err := s.Auth.CreateToken(ctx, authz.System, admin.ID, "demo")
	if err != nil {
		return nil, err
	}
	return &DemoLogin{Logins: logins, Password: DemoPassword, Loaded: true, Token: tok}, nil
}

// demoFields defines the custom fields the demo tickets fill in (why the
// customer got in touch, the order and product a conversation is about);
// they must exist before the tickets are imported.
func (s *System) demoFields(ctx context.Context) error {
	for i, f := range demo.Fields() {
		if _, err := s.Tickets.CreateField(ctx, authz.System, ticket.FieldInput{
			Key: f.Key, Label: f.Label, Type: f.Type, Options: f.Options, Position: i + 1,
		}); err != nil {
			return fmt.Errorf("demo field %s: %w", f.Key, err)
		}
	}
	return nil
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

// demoRules adds what a support lead sets up first: office hours, an SLA
// policy in business hours and a few goals, so the dashboards show
// business-hour times, SLA attainment and goal status.
func (s *System) demoRules(ctx context.Context) error {
	day := []sla.Interval{{Start: "08:00", End: "16:00"}}
	cal, err := s.SLA.CreateCalendar(ctx, authz.System, sla.CalendarInput{
		Name: "Oslo office", TimeZone: "Europe/Oslo",
		Schedule: sla.Schedule{Mon: day, Tue: day, Wed: day, Thu: day, Fri: day},
		Holidays: []sla.Holiday{
			{Date: "2026-01-01", Name: "New Year's Day", Yearly: true}, {Date: "2026-05-01", Name: "Labour Day", Yearly: true},
			{Date: "2026-05-17", Name: "Constitution Day", Yearly: true}, {Date: "2026-12-25", Name: "Christmas Day", Yearly: true},
			{Date: "2026-12-26", Name: "Boxing Day", Yearly: true},
		},
	})
	if err != nil {
		return fmt.Errorf("demo calendar: %w", err)
	}
	target := func(first, next, resolution string) sla.Target {
		return sla.Target{FirstReply: first, NextReply: next, Resolution: resolution, BusinessHours: true, CalendarID: &cal.ID}
	}
	if _, err := s.SLA.CreatePolicy(ctx, authz.System, sla.PolicyInput{Name: "Standard", Targets: map[string]sla.Target{
		"urgent": target("1h", "2h", "8h"), "high": target("2h", "4h", "16h"),
		"normal": target("4h", "8h", "24h"), "low": target("8h", "16h", "40h"),
	}}); err != nil {
		return fmt.Errorf("demo SLA policy: %w", err)
	}
	for _, g := range []report.GoalInput{
		{Metric: "first_reply_median_business", Op: "<=", Target: ptr(4 * 3600.0)},
		{Metric: "sla_attainment", Op: ">=", Target: ptr(0.9)},
		{Metric: "one_touch_rate", Op: ">=", Target: ptr(0.4)},
		{Metric: "reopen_rate", Op: "<=", Target: ptr(0.1)},
	} {
		if _, err := s.Reports.CreateGoal(ctx, authz.System, g); err != nil {
			return fmt.Errorf("demo goal %s: %w", g.Metric, err)
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func pageOf(limit int) page.Request { return page.Request{Limit: limit} }
