// Package app wires Ombud together: configuration → database → migrations →
// services → HTTP server, and implements the command-line interface.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/budget"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/config"
	"github.com/ombud/ombud/internal/csat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/live"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/portal"
	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/pulse"
	"github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/sso"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/training"
	"github.com/ombud/ombud/internal/web"
	"github.com/ombud/ombud/internal/web/admin"
	"github.com/ombud/ombud/internal/web/api"
	"github.com/ombud/ombud/internal/web/api/zendesk"
	webchat "github.com/ombud/ombud/internal/web/chat"
	"github.com/ombud/ombud/internal/web/feedback"
	"github.com/ombud/ombud/internal/web/gdpr"
	webpeople "github.com/ombud/ombud/internal/web/people"
	webportal "github.com/ombud/ombud/internal/web/portal"
	webqa "github.com/ombud/ombud/internal/web/qa"
	"github.com/ombud/ombud/internal/web/reports"
	websso "github.com/ombud/ombud/internal/web/sso"
	"github.com/ombud/ombud/internal/web/survey"
	"github.com/ombud/ombud/internal/web/tickets"
	webui "github.com/ombud/ombud/internal/web/ui"
	"github.com/ombud/ombud/internal/web/webhooks"
	"github.com/ombud/ombud/internal/web/widget"
	"github.com/ombud/ombud/internal/web/workforce"
	"github.com/ombud/ombud/internal/webhook"
	"github.com/ombud/ombud/internal/wfm"
)

// Version is set at build time with -ldflags "-X github.com/ombud/ombud/internal/app.Version=…".
var Version = "dev"

const usage = `Ombud — customer support platform

Usage:
  ombud serve   [--addr 127.0.0.1:8080] [--data DIR] [--database-url URL] [--demo] …
  ombud migrate [--data DIR] [--database-url URL]
  ombud user create --email E --name N --role R [--password P]
  ombud user list | deactivate --email E | reset-password --email E
  ombud token create --email E
  ombud token list [--email E] | revoke --id ID
  ombud import [--file F.ndjson]   (reads standard input without --file)
  ombud kb import DIR|FILE.zip     (Markdown or HTML articles with images)
  ombud kb export FILE.zip         (the knowledge base as Markdown)
  ombud report rebuild             (recompute report facts from the event log)
  ombud secrets rotate             (re-encrypt stored credentials with the current secret key)
  ombud backup --out FILE          (online backup of the database and attachments)
  ombud restore --in FILE          (restore a backup into an empty data directory)
  ombud version
  ombud help [COMMAND]

Every flag may also be set as OMBUD_<FLAG> in the environment (e.g. OMBUD_DATABASE_URL).
Run "ombud COMMAND --help" for a command's flags and examples.

Examples:
  ombud serve --demo
  ombud help backup
`

// Main runs the command line and returns the exit status.
func Main(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if args[0] == "help" || wantsHelp(args) { // cli.go
		if args[0] == "help" {
			args = append(args[1:len(args):len(args)], "--help")
		}
		if tableHelp(args, stdout) {
			return 0
		}
		stderr = stdout // asked for: help goes to standard output
	}
	var err error
	switch args[0] {
	case "serve":
		err = runServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		err = runMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "user":
		err = runUser(ctx, args[1:], getenv, stdout, stderr)
	case "token":
		err = runToken(ctx, args[1:], getenv, stdout, stderr)
	case "report":
		err = runReport(ctx, args[1:], getenv, stdout, stderr)
	case "secrets":
		err = runSecrets(ctx, args[1:], getenv, stdout, stderr)
	case "kb":
		err = runKB(ctx, args[1:], getenv, stdout, stderr) // kbcli.go
	case "import":
		err = runImport(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "backup":
		err = runBackup(ctx, args[1:], getenv, stdout, stderr) // backup.go
	case "restore":
		err = runRestore(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		printVersion(stdout) // version.go
		return 0
	default:
		fmt.Fprintf(stderr, "ombud: unknown command %q (run \"ombud help\")\n", args[0])
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "ombud: %v\n", err)
		return 2
	}
	fmt.Fprintf(stderr, "ombud: %s\n", oneLine(err.Error()))
	return 1
}

// usageError marks bad command-line usage (exit status 2).
type usageError struct{ error }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func newLogger(c config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parse binds flags for a command and validates the result.
func parse(name string, args []string, getenv func(string) string, stderr io.Writer, serve bool, extra func(fs *flag.FlagSet)) (config.Config, error) {
	c := config.Defaults()
	fs := flag.NewFlagSet("ombud "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = flagUsage(fs, name, args) // cli.go
	envErr := c.Bind(fs, getenv, serve)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, usageError{err}
	}
	if fs.NArg() > 0 {
		return c, usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if *envErr != nil {
		return c, usageError{*envErr}
	}
	if err := c.Validate(); err != nil {
		return c, usageError{err}
	}
	return c, nil
}

// System is the wired application.
type System struct {
	Config     config.Config
	Log        *slog.Logger
	DB         *db.DB
	Tickets    *ticket.Service
	Customers  *customer.Service
	Agents     *agent.Service
	Auth       *auth.Service
	Importer   *importer.Service
	Email      *email.Service
	Jobs       *jobs.Runner
	Live       *live.Hub
	Automation *automation.Service
	Routing    *routing.Service
	SLA        *sla.Service
	Reports    *report.Service
	Privacy    *privacy.Service
	Blocklist  *blocklist.Service
	Audit      *audit.Service // the audit log's search, export and retention
	SSO        *sso.Service   // single sign-on with OpenID Connect providers
	CSAT       *csat.Service
	Secrets    *secret.Box // seals stored credentials (mailbox passwords, webhook URLs)
	Webhooks   *webhook.Service
	WFM        *wfm.Service       // workforce: forecast and staffing plans
	Schedule   *schedule.Service  // workforce: shifts, time off, swaps, coverage, adherence
	Budget     *budget.Service    // workforce: rates, projected cost, what-if, headcount plan
	Training   *training.Service  // workforce: courses, certifications, onboarding, skills matrix
	NPS        *nps.Service       // NPS campaigns and feedback analysis
	Pulse      *pulse.Service     // team pulse (eNPS) surveys (pulse.go)
	QA         *qa.Service        // quality assurance: scorecards, reviews, sampling, calibration, coaching
	KB         *kb.Service        // knowledge base and help center content
	Chat       *chat.Service      // live chat (chat.go)
	Portal     *portal.Service    // the customer portal (portal.go)
	Phone      *phone.Service     // the phone channel (phone.go)
	Messaging  *messaging.Service // the messaging and social channel (messaging.go)
	Orders     *orders.Service    // order lookups, returns, exchanges and refunds (orders.go)
	Now        func() time.Time
}

// dbOptions are the database options c sets (the SQLite connections'
// memory: docs/configuration.md, "Memory on SQLite").
func dbOptions(c config.Config) db.Options {
	return db.Options{URL: c.DatabaseURL, DataDir: c.DataDir,
		Readers: c.SQLite.Readers, ReadCacheMiB: c.SQLite.ReadCacheMiB, WriteCacheMiB: c.SQLite.WriteCacheMiB, MmapMiB: c.SQLite.MmapMiB}
}

// Open connects to the database, migrates it and builds the services.
func Open(ctx context.Context, c config.Config, log *slog.Logger, now func() time.Time) (*System, error) {
	box, err := loadSecrets(c, log)
	if err != nil {
		return nil, err
	}
	opts := dbOptions(c)
	opts.Log = log
	d, err := db.Open(ctx, opts)
	if err != nil {
		return nil, err
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrated database", "applied", applied, "database", d.Location())
	}
	blobDir := filepath.Join(c.DataDir, "blobs")
	blobs, err := blob.New(blobDir)
	if err != nil {
		d.Close()
		return nil, err
	}
	s := &System{Config: c, Log: log, DB: d, Now: now, Secrets: box}
	s.Customers = customer.NewService(d, now)
	s.Agents = agent.NewService(d, now)
	s.Auth = auth.NewService(d, now, auth.Options{SessionIdle: c.SessionIdle, SessionMax: c.SessionMax})
	s.Auth.SetSecrets(box) // TOTP secrets (twofactor.go)
	s.Tickets = ticket.NewService(d, now, requesters{s.Customers}, richtext.New())
	s.Tickets.SetBlobs(blobs)
	s.Customers.MoveTickets = s.Tickets.MoveRequester
	s.Agents.OnDeactivate = s.Auth.DeleteAgentCredentials
	s.SSO = sso.NewService(d, now, box, s.Agents, s.Auth)
	s.Auth.SetPasswordPolicy(s.SSO.PasswordAllowed) // roles that must use SSO
	s.Importer = importer.NewService(d, s.Tickets, directory{s})
	s.Jobs = jobs.NewRunner(d, jobs.Options{Now: now, Logger: log.With("component", "jobs")})
	s.Email = email.NewService(d, now, log.With("component", "email"), s.Tickets, people{s.Customers}, blobs, richtext.New(), email.Options{
		MaxMessageBytes: c.MaxMailBytes, Hostname: c.Hostname(), BaseURL: c.BaseURL, Wake: s.Jobs.Wake, Secrets: box,
		SenderAuth: senderAuth(c),
	})
	s.Tickets.SetOutbox(s.Email)
	s.Tickets.SetNotifier(s.Email) // @mentions: notices through the email outbox
	s.Live = live.NewHub(now, log.With("component", "live"))
	s.Tickets.OnChange = func(id int64, events []ticket.Event) {
		types := make([]string, len(events))
		for i, e := range events {
			types[i] = e.Type
		}
		last := events[len(events)-1]
		s.Live.TicketChanged(id, types, last.ActorType, last.ActorID, last.Seq)
	}
	s.Jobs.Handle(email.JobSend, s.Email.Send)
	s.wireDelivery() // delivery.go: delivery states to open pages
	s.Automation = automation.NewService(d, now, s.Tickets, s.Agents)
	s.Automation.SetSecrets(box)
	s.Tickets.AddHook(s.Automation)
	s.Automation.Register(s.Jobs) // trigger and webhook jobs, the 5-minute automation sweep
	s.Automation.SetMailer(s.Email)
	s.Automation.SetPoster(automation.NewHTTPPoster(15*time.Second, c.WebhookAllowPrivate))
	s.Jobs.Handle(email.JobNotice, s.Email.SendNotice)
	s.Routing = routing.NewService(d, now, s.Tickets, log.With("component", "routing"))
	s.Tickets.AddHook(s.Routing)
	s.Routing.Register(s.Jobs) // assignment jobs, the escalation and backlog sweep
	s.SLA = sla.NewService(d, now, s.Tickets)
	s.Tickets.AddHook(s.SLA) // each ticket change refreshes its SLA clocks in its own transaction
	s.SLA.Register(s.Jobs)   // the minute sweep (warnings, breaches) and recomputes after policy changes
	s.Automation.SetBusinessHours(func(t time.Time) bool { return s.SLA.OpenNow(context.Background(), t) })
	s.Reports = report.NewService(d, now, s.SLA, log.With("component", "report"))
	s.Tickets.AddHook(s.Reports) // marks the ticket for the report refresher, imports included
	s.Reports.Register(s.Jobs)
	s.Audit = audit.NewService(d, now)
	s.Audit.Register(s.Jobs)     // hourly: rows older than the retention go
	s.Reports.SetMailer(s.Email) // scheduled summaries through the email outbox
	s.Jobs.Handle(email.JobSummary, s.Email.SendSummary)
	s.Privacy = privacy.NewService(d, blobs, now, s.Reports, log.With("component", "privacy"))
	// Customer export and erasure; the hourly retention run.
	s.Privacy.Register(s.Jobs)
	s.Blocklist = blocklist.NewService(d, now) // senders whose mail opens no tickets
	s.WFM = wfm.NewService(d, now, s.SLA)
	s.QA = qa.NewService(d, now)
	s.QA.SetTickets(s.Tickets) // submitted reviews are ticket events: the IQS report facts
	// Hourly: samples last week for QA review once, when sampling is on.
	s.Jobs.Every("qa.sampling", time.Hour, s.QA.RunWeekly)
	s.Schedule = schedule.NewService(d, now, s.SLA, s.WFM)
	s.Routing.UseShifts(s.Schedule) // agents with a schedule get tickets only on shift
	s.Budget = budget.NewService(d, now, s.WFM, s.Schedule)
	s.Training = training.NewService(d, now)
	s.Training.SetMailer(s.Email) // reminders in the agent's language
	// Hourly: certifications expire (their skills go), due and overdue reminders.
	s.Jobs.Every("training.sweep", time.Hour, s.Training.Sweep)
	s.wireWebhooks()                     // webhooks.go
	if err := s.wireCSAT(); err != nil { // csat.go
		d.Close()
		return nil, err
	}
	if err := s.wireNPS(); err != nil { // nps.go
		d.Close()
		return nil, err
	}
	if err := s.wirePulse(); err != nil { // pulse.go
		d.Close()
		return nil, err
	}
	if err := s.wirePasswords(); err != nil { // passwords.go
		d.Close()
		return nil, err
	}
	s.wirePasskeys()                        // passkeys.go
	if err := s.wireKB(blobs); err != nil { // kb.go
		d.Close()
		return nil, err
	}
	if err := s.wireChat(blobs); err != nil { // chat.go
		d.Close()
		return nil, err
	}
	if err := s.wirePortal(); err != nil { // portal.go
		d.Close()
		return nil, err
	}
	s.wirePhone()          // phone.go
	s.wireMessaging(blobs) // messaging.go
	s.wireOrders()         // orders.go
	// Credentials stored in plain text by an older release are sealed now.
	if _, err := s.SealSecrets(ctx, false); err != nil {
		d.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the database.
func (s *System) Close() error { return s.DB.Close() }

// Handler builds the HTTP handler.
func (s *System) Handler() (http.Handler, error) {
	ui, err := webui.New(s.Tickets, s.Agents, s.Auth, s.Email, s.Log, s.Config.SecureCookie)
	if err != nil {
		return nil, err
	}
	ui.Live = s.Live
	ui.Customers = s.Customers
	ui.MaxUploadBytes = s.Config.MaxBodyBytes
	ui.SLA, ui.Automation, ui.Routing = s.SLA, s.Automation, s.Routing
	ui.Reports = s.Reports
	ui.CSAT = s.CSAT
	ticketPages, err := tickets.New(ui)
	if err != nil {
		return nil, err
	}
	ticketPages.Messaging = s.Messaging // messaging.go
	ticketPages.Deleter = s.Privacy     // deleteticket.go
	peoplePages, err := webpeople.New(ui)
	if err != nil {
		return nil, err
	}
	adminPages, err := admin.New(ui, admin.JobsAdmin{DB: s.DB, Wake: s.Jobs.Wake})
	if err != nil {
		return nil, err
	}
	adminPages.Audit = s.Audit
	adminPages.ImportFile = s.importUpload
	adminPages.Blocklist = s.Blocklist
	reportPages, err := reports.New(ui)
	if err != nil {
		return nil, err
	}
	privacyPages, err := gdpr.New(ui, s.Privacy)
	if err != nil {
		return nil, err
	}
	webhookPages, err := webhooks.New(ui, s.Webhooks)
	if err != nil {
		return nil, err
	}
	workforcePages, err := workforce.New(ui, s.WFM, s.Schedule)
	if err != nil {
		return nil, err
	}
	workforcePages.Budget = s.Budget
	workforcePages.Training = s.Training
	qaPages, err := webqa.New(ui, s.QA)
	if err != nil {
		return nil, err
	}
	ssoPages, err := websso.New(ui, s.SSO, s.Config.BaseURL)
	if err != nil {
		return nil, err
	}
	ui.SSOButtons = ssoPages.Buttons
	surveyPages, err := survey.New(ui, s.CSAT)
	if err != nil {
		return nil, err
	}
	feedbackPages, err := feedback.New(ui, s.NPS)
	if err != nil {
		return nil, err
	}
	feedbackPages.Pulse = s.Pulse
	knowledgePages, helpPages, err := s.knowledgePages(ui, ticketPages) // kb.go
	if err != nil {
		return nil, err
	}
	chatPages, err := webchat.New(ui, s.Chat)
	if err != nil {
		return nil, err
	}
	ticketPages.Forms = s.Portal
	chatPages.KB, chatPages.BaseURL = s.KB, s.Config.BaseURL
	ui.ChatDock = s.Chat // the chat dock on every agent page (internal/web/ui/dock.go)
	portalPages, err := webportal.New(ui, s.Portal, s.KB, s.Config.HTTPS(), s.Config.TrustedProxies)
	if err != nil {
		return nil, err
	}
	phonePages, err := s.phonePages(ui) // phone.go
	if err != nil {
		return nil, err
	}
	messagingPages, err := s.messagingPages(ui) // messaging.go
	if err != nil {
		return nil, err
	}
	ordersPages, err := s.ordersPages(ui, ticketPages) // orders.go
	if err != nil {
		return nil, err
	}
	widgetUI := widget.New(s.Chat, widget.NewBus(s.Live), ui.I18n(), s.Log.With("component", "widget"))
	srv := &web.Server{
		API: &api.API{Tickets: s.Tickets, Customers: s.Customers, Agents: s.Agents, Auth: s.Auth, Importer: s.Importer, ImportMaxBytes: s.Config.ImportMaxBytes, Email: s.Email, Automation: s.Automation, Routing: s.Routing, SLA: s.SLA, Reports: s.Reports, Audit: s.Audit,
			Privacy: s.Privacy, Blocklist: s.Blocklist, DB: s.DB, Log: s.Log, Now: s.Now, WakeJobs: s.Jobs.Wake, Webhooks: s.Webhooks, NPS: s.NPS, Pulse: s.Pulse, QA: s.QA, Schedule: s.Schedule, KB: s.KB, Budget: s.Budget, Training: s.Training, Chat: s.Chat},
		UI: ui, Tickets: ticketPages, People: peoplePages, Admin: adminPages, Reports: reportPages, Privacy: privacyPages, Webhooks: webhookPages, Workforce: workforcePages, QA: qaPages,
		Zendesk: &zendesk.API{Tickets: s.Tickets, Customers: s.Customers, Agents: s.Agents, Auth: s.Auth, Deleter: s.Privacy, BaseURL: s.Config.BaseURL, Log: s.Log}, SSO: ssoPages, Survey: surveyPages, Auth: s.Auth, DB: s.DB, Log: s.Log, MaxBodyBytes: s.Config.MaxBodyBytes, SecureCookie: s.Config.SecureCookie,
		Feedback:       feedbackPages,
		TrustedProxies: s.Config.TrustedProxies, Knowledge: knowledgePages, Help: helpPages,
		HSTS: s.Config.HTTPS(), MetricsToken: s.Config.MetricsToken, MetricsElsewhere: s.Config.MetricsAddr != "",
		AccessLog:    &web.AccessLog{Mode: s.Config.AccessLog, Slow: s.Config.SlowRequest},
		APIRateLimit: s.Config.APIRateLimit, APIIPRateLimit: s.Config.APIIPRateLimit,
		Chat: chatPages, Widget: widgetUI, Portal: portalPages, Phone: phonePages, Messaging: messagingPages,
		Orders: ordersPages,
	}
	return srv.Handler(), nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("serve", args, getenv, stderr, true, nil)
	if err != nil {
		return err
	}
	log := newLogger(c, stderr)
	defer serveGC(c.GC, getenv, log)() // gc.go
	sys, err := Open(ctx, c, log, time.Now)
	if err != nil {
		return err
	}
	defer sys.Close()
	// Starter triggers, once per install: active on a new one, switched
	// off on one that already has tickets or rules (automation/defaults.go).
	if n, active, err := sys.Automation.SeedDefaults(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Info("added the default triggers", "count", n, "active", active)
	}
	var demo *DemoLogin
	if c.Demo {
		if demo, err = sys.LoadDemo(ctx); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	h, err := sys.Handler()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	url := "http://" + ln.Addr().String()
	if c.BaseURL != "" {
		url = c.BaseURL
	}
	hs := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	log.Info("ombud serving", "url", url, "database", sys.DB.Dialect().String(), "location", sys.DB.Location(), "version", versionString())
	fmt.Fprintf(stdout, "Ombud is running at %s\n", url)
	if demo != nil {
		demo.Print(stdout, url) // demostart.go
	}
	if demo == nil || demo.Other {
		sys.adminHint(ctx, stdout, c)
	}
	errc := make(chan error, 2)
	stopMetrics, err := serveMetrics(c, h, log, stdout, errc) // metrics.go
	if err != nil {
		hs.Close()
		return err
	}
	var smtpL *email.Listener
	if c.SMTPAddr != "" {
		sln, err := net.Listen("tcp", c.SMTPAddr)
		if err != nil {
			hs.Close()
			return fmt.Errorf("listen on %s: %w", c.SMTPAddr, err)
		}
		smtpL = email.NewListener(sys.Email, c.Hostname(), log.With("component", "smtp"))
		go func() {
			if err := smtpL.Serve(sln); err != nil {
				errc <- fmt.Errorf("smtp server: %w", err)
			}
		}()
		log.Info("accepting mail", "smtp", sln.Addr().String())
		fmt.Fprintf(stdout, "Inbound SMTP on %s\n", sln.Addr().String())
	}
	// The web server answers last, so a ready /readyz means every listener
	// (metrics, SMTP) is bound too.
	go func() { errc <- hs.Serve(ln) }()
	// Background work stops only after the listeners: a message being
	// committed or a reply being queued finishes first.
	bg, stopBG := context.WithCancel(db.Background(context.WithoutCancel(ctx)))
	var wg sync.WaitGroup
	wg.Add(5)
	go func() { defer wg.Done(); sys.followAccessChanges(bg) }()
	// Knowledge base counts are written every --kb-counter-flush and once
	// more when bg ends: after the listeners, so the last views are in.
	go func() { defer wg.Done(); sys.KB.RunCounters(bg, c.KBCounterFlush) }()
	go func() {
		defer wg.Done()
		if sys.DB.Dialect() == db.Postgres {
			_ = sys.Live.Connect(bg, sys.DB) // other instances' changes reach this one's pages
		}
	}()
	go func() { defer wg.Done(); _ = sys.Jobs.Run(bg) }()
	go func() { defer wg.Done(); _ = email.NewIMAPSources(sys.Email, 0).Run(bg) }()
	var serveErr error
	select {
	case serveErr = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing in-flight requests", "wait", c.ShutdownWait)
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownWait)
	defer cancel()
	hs.RegisterOnShutdown(sys.Live.Shutdown) // open event streams end, so Shutdown need not wait for them
	err = hs.Shutdown(sctx)
	stopMetrics(sctx)
	if smtpL != nil {
		if serr := smtpL.Shutdown(sctx); serr != nil && err == nil {
			err = serr
		}
	}
	stopBG()
	wg.Wait()
	if serveErr != nil {
		return serveErr
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parse("migrate", args, getenv, stderr, false, nil)
	if err != nil {
		return err
	}
	d, err := db.Open(ctx, dbOptions(c))
	if err != nil {
		return err
	}
	defer d.Close()
	applied, err := d.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	}
	for _, a := range applied {
		fmt.Fprintln(stdout, "applied", a)
	}
	return nil
}

// envPath keeps getenv reads in one place for commands reading files.
func openInput(path string, stdin io.Reader) (io.ReadCloser, error) {
	if path == "" || path == "-" {
		return io.NopCloser(stdin), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, nil
}
