// Package authz decides what an actor may do. Services call Check before
// every operation, so the rules hold for the API, the web UI, the CLI and
// any future channel alike; handlers only identify the actor.
package authz

import (
	"slices"

	"github.com/ombud/ombud/internal/apperr"
)

// Role is an agent's role.
type Role string

// The roles, from most to least powerful.
const (
	Admin        Role = "admin"        // everything, including settings, agents and import
	Manager      Role = "manager"      // runs the team: tickets, agents (not admins), teams, fields, reports
	Agent        Role = "agent"        // works tickets and customers
	QAReviewer   Role = "qa_reviewer"  // reads everything, writes internal notes, scores the tickets assigned to them (internal/qa)
	Collaborator Role = "collaborator" // another department: reads tickets, writes internal notes
)

// Roles lists every role, for validation and the authorization test matrix.
var Roles = []Role{Admin, Manager, Agent, QAReviewer, Collaborator}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Kind says who is acting.
type Kind string

// Actor kinds.
const (
	KindAgent    Kind = "agent"
	KindCustomer Kind = "customer"
	KindSystem   Kind = "system"
)

// Actor is whoever performs an operation.
type Actor struct {
	Kind Kind
	ID   int64 // agent or customer id; 0 for system
	Role Role  // agents only
	Name string
}

// System is the actor for Ombud's own work (imports run as their original actors).
var System = Actor{Kind: KindSystem, Name: "Ombud"}

// IsAgent reports whether the actor is a staff user.
func (a Actor) IsAgent() bool { return a.Kind == KindAgent && a.ID != 0 }

// Perm is one permission.
type Perm string

// Permissions.
const (
	TicketRead        Perm = "ticket.read"
	TicketCreate      Perm = "ticket.create"
	TicketUpdate      Perm = "ticket.update" // fields, status, assignment, tags
	TicketReply       Perm = "ticket.reply"  // public comments
	TicketNote        Perm = "ticket.note"   // internal notes
	TicketMerge       Perm = "ticket.merge"
	TicketBulk        Perm = "ticket.bulk"
	CustomerRead      Perm = "customer.read"
	CustomerWrite     Perm = "customer.write"
	TeamRead          Perm = "team.read"
	TeamWrite         Perm = "team.write"
	AgentRead         Perm = "agent.read"
	AgentWrite        Perm = "agent.write"
	AgentAdminWrite   Perm = "agent.admin_write" // create, promote or change admins
	CustomFieldRead   Perm = "custom_field.read"
	CustomFieldWrite  Perm = "custom_field.write"
	Import            Perm = "import"
	AuditRead         Perm = "audit.read" // the audit log and its retention: admins only (it records admins' own actions)
	TokenManageOthers Perm = "token.manage_others"
	ChannelRead       Perm = "channel.read"  // mailboxes and the inbound mail log
	ChannelWrite      Perm = "channel.write" // configure mailboxes, re-process mail
	JobsManage        Perm = "jobs.manage"   // see and retry background jobs
	SLARead           Perm = "sla.read"      // business calendars and SLA policies
	SLAWrite          Perm = "sla.write"
	AutomationRead    Perm = "automation.read" // triggers, automations, routing, shared macros
	AutomationWrite   Perm = "automation.write"
	MacroUse          Perm = "macro.use"    // apply macros, keep personal ones
	ViewShare         Perm = "view.share"   // create and edit ticket views shared with everyone
	ReportRead        Perm = "report.read"  // dashboards, report exports, raw event export
	ReportWrite       Perm = "report.write" // goals and scheduled reports
	// SecretReveal: see and enter stored credentials in full (webhook and
	// chat URLs, webhook signing secrets); others see them masked or not at all.
	SecretReveal Perm = "secret.reveal"
	// PrivacyManage: export or erase everything about a customer and set
	// the data retention rules (internal/privacy).
	PrivacyManage Perm = "privacy.manage"
	// WebhookManage: webhook subscriptions send ticket and customer data to
	// other systems, so only admins set them up (docs/webhooks.md).
	WebhookManage Perm = "webhook.manage"
	// FeedbackRead: NPS results and the feedback insights (topics and
	// comments), read-only; collaborators from other departments have it.
	FeedbackRead Perm = "feedback.read"
	// FeedbackManage: NPS campaigns and their settings, topic rules and
	// hand tags, and the read-only links to the insights page.
	FeedbackManage Perm = "feedback.manage"
	// Quality assurance (internal/qa, docs/qa.md). QAManage: scorecards,
	// sampling, calibration sessions, disputes, coaching and everyone's
	// reviews and IQS. QAReview: score the tickets assigned to you and take
	// part in calibration. QAOwn: read your own reviews, acknowledge or
	// dispute them. QARead: open the quality pages at all (each page and
	// service call then applies the three above).
	QAManage Perm = "qa.manage"
	QARead   Perm = "qa.read"
	QAReview Perm = "qa.review"
	QAOwn    Perm = "qa.own"
	// ScheduleRead: see the team schedule, keep your own pattern's
	// requests (time off, swaps) and your calendar feed (internal/schedule).
	ScheduleRead Perm = "schedule.read"
	// ScheduleManage: edit everyone's shifts, approve time off and swaps,
	// coverage, proposals and adherence: the leads.
	ScheduleManage Perm = "schedule.manage"
	// TrainingRead: your own courses, certifications and onboarding
	// checklist (items you own included). TrainingManage: courses,
	// assignments, checklists, the skills matrix and who is due for what:
	// the leads (internal/training).
	TrainingRead   Perm = "training.read"
	TrainingManage Perm = "training.manage"
	// Knowledge base (internal/kb): every agent role reads articles,
	// internal ones and drafts included; agents write drafts and send them
	// for review; publishing, archiving, categories and the help center's
	// branding are for managers and admins (docs/knowledge.md).
	KBRead    Perm = "kb.read"
	KBWrite   Perm = "kb.write"
	KBPublish Perm = "kb.publish"
	// Team pulse (internal/pulse, docs/feedback.md): PulseManage creates
	// anonymous eNPS surveys of the support team and reads their
	// aggregate results; PulseAnswer answers the surveys you are invited to.
	PulseManage Perm = "pulse.manage"
	PulseAnswer Perm = "pulse.answer"
	// Orders and returns (internal/orders, docs/orders.md): ReturnsRead
	// sees a customer's orders and the return, exchange and refund cases;
	// ReturnsManage opens cases and moves them through their workflow.
	ReturnsRead   Perm = "returns.read"
	ReturnsManage Perm = "returns.manage"
	// Spam and deletion (internal/blocklist, privacy.DeleteTicket):
	// TicketSpam marks a ticket as spam (its sender blocked, the ticket
	// deleted); TicketDelete deletes a ticket for good; BlocklistManage
	// blocks and unblocks senders and domains.
	TicketSpam      Perm = "ticket.spam"
	TicketDelete    Perm = "ticket.delete"
	BlocklistManage Perm = "blocklist.manage"
)

var grants = map[Role][]Perm{
	Admin: {TicketRead, TicketCreate, TicketUpdate, TicketReply, TicketNote, TicketMerge, TicketBulk,
		CustomerRead, CustomerWrite, TeamRead, TeamWrite, AgentRead, AgentWrite, AgentAdminWrite,
		CustomFieldRead, CustomFieldWrite, Import, AuditRead, TokenManageOthers, ChannelRead, ChannelWrite, JobsManage,
		SLARead, SLAWrite, AutomationRead, AutomationWrite, MacroUse, ViewShare, ReportRead, ReportWrite, SecretReveal, PrivacyManage, WebhookManage, ScheduleRead, ScheduleManage, TrainingRead, TrainingManage,
		FeedbackRead, FeedbackManage, QAManage, QAReview, QAOwn, QARead, KBRead, KBWrite, KBPublish, PulseManage, PulseAnswer, ReturnsRead, ReturnsManage, TicketSpam, TicketDelete, BlocklistManage},
	Manager: {TicketRead, TicketCreate, TicketUpdate, TicketReply, TicketNote, TicketMerge, TicketBulk,
		CustomerRead, CustomerWrite, TeamRead, TeamWrite, AgentRead, AgentWrite,
		CustomFieldRead, CustomFieldWrite, ChannelRead,
		SLARead, SLAWrite, AutomationRead, AutomationWrite, MacroUse, ViewShare, ReportRead, ReportWrite, ScheduleRead, ScheduleManage, TrainingRead, TrainingManage,
		FeedbackRead, FeedbackManage, QAManage, QAReview, QAOwn, QARead, KBRead, KBWrite, KBPublish, PulseManage, PulseAnswer, ReturnsRead, ReturnsManage, TicketSpam, TicketDelete, BlocklistManage},
	Agent: {TicketRead, TicketCreate, TicketUpdate, TicketReply, TicketNote, TicketMerge, TicketBulk,
		CustomerRead, CustomerWrite, TeamRead, AgentRead, CustomFieldRead, SLARead, AutomationRead, MacroUse, QAOwn, QARead, ScheduleRead, TrainingRead, KBRead, KBWrite, PulseAnswer, ReturnsRead, ReturnsManage, TicketSpam},
	QAReviewer:   {TicketRead, TicketNote, CustomerRead, TeamRead, AgentRead, CustomFieldRead, ReportRead, FeedbackRead, QAReview, QARead, KBRead, PulseAnswer, ReturnsRead},
	Collaborator: {TicketRead, TicketNote, CustomerRead, TeamRead, AgentRead, CustomFieldRead, FeedbackRead, KBRead, ReturnsRead},
}

// Can reports whether a may do p. The system actor may do everything;
// customers act only through the portal's own rules, never these.
func Can(a Actor, p Perm) bool {
	switch a.Kind {
	case KindSystem:
		return true
	case KindAgent:
		return slices.Contains(grants[a.Role], p)
	}
	return false
}

// Check returns a forbidden error unless a may do p.
func Check(a Actor, p Perm) error {
	if Can(a, p) {
		return nil
	}
	if a.Kind == "" {
		return apperr.Unauthenticated("sign in first")
	}
	return apperr.Forbidden("your role may not do this (" + string(p) + ")")
}
