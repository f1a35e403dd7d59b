package ui

import (
	"github.com/ombud/ombud/internal/authz"
)

// NavLink is one page the header links to. Perm is the permission of the
// page's route, so a link shows exactly when the page would answer (a test
// in internal/web checks it against the route table).
type NavLink struct {
	Key   string // the page's pageData.Nav, to mark the link as the current page
	Path  string
	Label string // English; the template translates it
	Perm  authz.Perm
}

// NavGroup is one group of the Admin menu and of the /admin index.
type NavGroup struct {
	Label string
	Links []NavLink
}

// TopNav is the header's own links after "New ticket": the pages agents
// open every day. Settings go in the Admin menu (AdminNav), so the header
// keeps to one row at 1280 px in every language.
func TopNav() []NavLink {
	return []NavLink{
		{"chat", "/chat", "Chats", authz.TicketReply},
		{"customers", "/customers", "Customers", authz.CustomerRead},
		{"reports", "/reports", "Reports", authz.ReportRead},
		{"qa", "/qa", "Quality", authz.QARead},
		{"knowledge", "/knowledge", "Knowledge", authz.KBRead},
	}
}

// AdminNav is the Admin menu: every settings page, grouped the way an
// admin looks for them.
func AdminNav() []NavGroup {
	return []NavGroup{
		{"Channels", []NavLink{
			{"mailboxes", "/admin/mailboxes", "Mailboxes", authz.ChannelRead},
			{"maillog", "/admin/mail", "Mail log", authz.ChannelRead},
			{"blocked", "/admin/blocked-senders", "Blocked senders", authz.ChannelRead},
			{"chatwidget", "/admin/chat", "Chat widget", authz.ChannelRead},
			{"webform", "/admin/web-form", "Web form", authz.ChannelRead},
			{"portalforms", "/admin/portal-forms", "Request forms", authz.ChannelRead},
			{"phone", "/admin/phone", "Phone", authz.ChannelRead},
			{"messaging", "/admin/messaging", "Messaging", authz.ChannelRead},
			{"orders", "/admin/orders", "Orders and returns", authz.ChannelRead},
		}},
		{"People", []NavLink{
			{"agents", "/admin/agents", "Agents", authz.AgentRead},
			{"teams", "/admin/teams", "Teams", authz.TeamRead},
			{"twofactor", "/admin/two-factor", "Two-factor sign-in", authz.AgentAdminWrite},
			{"sso", "/admin/sso", "Single sign-on", authz.AgentAdminWrite},
		}},
		{"Business rules", []NavLink{
			{"triggers", "/admin/triggers", "Triggers", authz.AutomationRead},
			{"automations", "/admin/automations", "Automations", authz.AutomationRead},
			{"macros", "/admin/macros", "Macros", authz.MacroUse},
			{"routing", "/admin/routing", "Routing", authz.AutomationRead},
			{"csat", "/admin/satisfaction", "Satisfaction surveys", authz.AutomationRead},
			{"webhooks", "/admin/webhooks", "Webhooks", authz.WebhookManage},
		}},
		{"SLA", []NavLink{
			{"calendars", "/admin/calendars", "Business hours", authz.SLARead},
			{"slapolicies", "/admin/sla-policies", "SLA policies", authz.SLARead},
		}},
		{"Fields", []NavLink{
			{"fields", "/admin/fields", "Custom fields", authz.CustomFieldRead},
			{"tags", "/admin/tags", "Tags", authz.TicketRead},
		}},
		{"Customer feedback", []NavLink{
			{"feedback", "/feedback", "NPS results", authz.FeedbackRead},
			{"nps-campaigns", "/feedback/campaigns", "NPS campaigns", authz.FeedbackManage},
			{"insights", "/feedback/insights", "Feedback insights", authz.FeedbackRead},
			{"pulse", "/feedback/pulse", "Team pulse", authz.PulseManage},
		}},
		{"Workforce", []NavLink{
			{"workforce", "/workforce/forecast", "Staffing forecast", authz.ReportRead},
			{"schedule", "/workforce/schedule", "Team schedule", authz.ScheduleRead},
			{"requests", "/workforce/requests", "Time off and swaps", authz.ScheduleRead},
			{"coverage", "/workforce/coverage", "Coverage", authz.ScheduleManage},
			{"adherence", "/workforce/adherence", "Adherence and occupancy", authz.ScheduleManage},
			{"budget", "/workforce/budget", "Budget and headcount", authz.ScheduleManage},
			{"training", "/workforce/training", "Training", authz.TrainingManage},
			{"mytraining", "/workforce/training/mine", "My training", authz.TrainingRead},
		}},
		{"Operations", []NavLink{
			{"jobs", "/admin/jobs", "Background jobs", authz.JobsManage},
			{"import", "/admin/import", "Import", authz.Import},
			{"retention", "/admin/retention", "Data retention", authz.PrivacyManage},
			{"audit", "/admin/audit", "Audit log", authz.AuditRead},
		}},
	}
}

// navView is the header's navigation for one actor on one page.
type navView struct {
	Top   []NavLink
	Admin []NavGroup // only the groups with a link the actor may open
	// AdminCurrent says the current page is in the Admin menu (or is the
	// /admin index), so the menu's button is marked too.
	AdminCurrent bool
}

// navFor is the template func nav: the links the actor may open, cur being
// the page's pageData.Nav.
func navFor(a authz.Actor, cur string) navView {
	var v navView
	for _, l := range TopNav() {
		if authz.Can(a, l.Perm) {
			v.Top = append(v.Top, l)
		}
	}
	v.Admin = AdminFor(a)
	v.AdminCurrent = cur == "admin"
	for _, g := range v.Admin {
		for _, l := range g.Links {
			v.AdminCurrent = v.AdminCurrent || l.Key == cur
		}
	}
	return v
}

// AdminFor is the Admin menu's groups with the links a may open.
func AdminFor(a authz.Actor) []NavGroup {
	var out []NavGroup
	for _, g := range AdminNav() {
		var links []NavLink
		for _, l := range g.Links {
			if authz.Can(a, l.Perm) {
				links = append(links, l)
			}
		}
		if links != nil {
			out = append(out, NavGroup{g.Label, links})
		}
	}
	return out
}
