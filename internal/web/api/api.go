// Package api serves the JSON API under /api/v1. Each file handles one
// resource; handlers decode and validate the request shape, call one
// service method with the actor from the context, and encode the result.
// Authorization and business rules live in the services.
package api

import (
	"github.com/ombud/ombud/internal/audit"
	"log/slog"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/budget"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/nps"
	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/pulse"
	"github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/schedule"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/training"
	"github.com/ombud/ombud/internal/webhook"
)

// API holds the services the handlers call.
type API struct {
	Tickets   *ticket.Service
	Customers *customer.Service
	Agents    *agent.Service
	Auth      *auth.Service
	Importer  *importer.Service
	// ImportMaxBytes bounds one import body (--import-max-bytes; 0: 1 GiB).
	ImportMaxBytes int64
	Email          *email.Service
	Automation     *automation.Service
	Routing        *routing.Service
	SLA            *sla.Service
	Reports        *report.Service
	Privacy        *privacy.Service
	// Blocklist keeps the senders whose mail opens no tickets.
	Blocklist *blocklist.Service
	Audit     *audit.Service
	DB        *db.DB // read-only uses: the audit log, the job list; job retries
	Log       *slog.Logger
	Now       func() time.Time
	WakeJobs  func() // a job was made runnable
	// Webhooks manages webhook subscriptions (set before serving).
	Webhooks *webhook.Service
	// NPS runs NPS campaigns and feedback analysis (set before serving).
	NPS *nps.Service
	// Pulse runs the team's anonymous pulse (eNPS) surveys (set before serving).
	Pulse *pulse.Service
	// QA is quality assurance: scorecards, reviews, IQS (set before serving).
	QA *qa.Service
	// Schedule keeps shifts, time off, swaps, coverage and adherence.
	Schedule *schedule.Service
	// Training keeps courses, assignments, onboarding and the skills matrix.
	Training *training.Service
	// KB is the knowledge base (set before serving).
	KB *kb.Service
	// Budget prices the workforce plan (rates, cost, headcount).
	Budget *budget.Service
	// Chat is live chat: the proactive invitation rules (set before serving).
	Chat *chat.Service
}
