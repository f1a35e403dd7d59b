package web

import (
	"net/http"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/auth"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/importer"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/api"
)

// Routes is every route Ombud serves: the JSON API, the agent UI and the
// operational endpoints. The OpenAPI document and the authorization test
// matrix are generated from it, so a route cannot exist undocumented or
// untested.
func (s *Server) Routes() []Route {
	a, ui := s.API, s.UI
	const created = http.StatusCreated
	const noContent = http.StatusNoContent
	return []Route{
		// Operations.
		{Method: "GET", Path: "/healthz", Access: Public, Handler: s.healthz, Summary: "Process is up"},
		{Method: "GET", Path: "/readyz", Access: Public, Handler: s.readyz, Summary: "Database reachable and migrated"},
		{Method: "GET", Path: "/api/v1/openapi.json", Access: Public, Handler: s.openAPI, Summary: "This API's OpenAPI 3.1 document"},

		// Tickets.
		{Method: "GET", Path: "/api/v1/tickets", Access: APIAuth, Perm: authz.TicketRead, Handler: a.ListTickets, Summary: "List tickets", Query: api.TicketListParams(), Reply: page.List[ticket.Ticket]{}},
		{Method: "POST", Path: "/api/v1/tickets", Access: APIAuth, Perm: authz.TicketCreate, Handler: a.CreateTicket, Summary: "Create a ticket", Request: ticket.CreateInput{}, Reply: ticket.Ticket{}, Status: created},
		{Method: "POST", Path: "/api/v1/tickets/bulk", Access: APIAuth, Perm: authz.TicketBulk, Handler: a.BulkUpdateTickets, Summary: "Update up to 100 tickets", Request: api.BulkInput{}, Reply: api.BulkReply{}},
		{Method: "GET", Path: "/api/v1/tickets/{id}", Access: APIAuth, Perm: authz.TicketRead, Handler: a.GetTicket, Summary: "Get a ticket", Reply: ticket.Ticket{}},
		{Method: "PATCH", Path: "/api/v1/tickets/{id}", Access: APIAuth, Perm: authz.TicketUpdate, Handler: a.UpdateTicket, Summary: "Update a ticket", Request: ticket.Patch{}, Reply: ticket.Ticket{}},
		{Method: "GET", Path: "/api/v1/tickets/{id}/comments", Access: APIAuth, Perm: authz.TicketRead, Handler: a.ListComments, Summary: "List a ticket's comments", Query: []string{"limit", "cursor"}, Reply: page.List[ticket.Comment]{}},
		{Method: "POST", Path: "/api/v1/tickets/{id}/comments", Access: APIAuth, Perm: authz.TicketNote, Handler: a.AddComment, Summary: "Add a reply or internal note", Request: ticket.CommentInput{}, Reply: ticket.Comment{}, Status: created},
		{Method: "GET", Path: "/api/v1/tickets/{id}/events", Access: APIAuth, Perm: authz.TicketRead, Handler: a.ListEvents, Summary: "A ticket's event history", Query: []string{"limit", "cursor"}, Reply: page.List[ticket.Event]{}},
		{Method: "POST", Path: "/api/v1/tickets/{id}/merge", Access: APIAuth, Perm: authz.TicketMerge, Handler: a.MergeTicket, Summary: "Merge another ticket into this one", Request: api.MergeInput{}, Reply: ticket.Ticket{}},
		{Method: "GET", Path: "/api/v1/search", Access: APIAuth, Perm: authz.TicketRead, Handler: a.Search, Summary: "Search tickets with the query language", Query: []string{"q", "limit", "cursor"}, Reply: page.List[ticket.Ticket]{}},
		{Method: "GET", Path: "/api/v1/views", Access: APIAuth, Perm: authz.TicketRead, Handler: a.ListViews, Summary: "List your personal views and the shared ones, by position", Query: []string{"limit", "cursor"}, Reply: page.List[ticket.View]{}},
		{Method: "POST", Path: "/api/v1/views", Access: APIAuth, Perm: authz.TicketRead, Handler: a.CreateView, Summary: "Save a ticket view (shared ones need view.share)", Request: ticket.ViewInput{}, Reply: ticket.View{}, Status: created},
		{Method: "GET", Path: "/api/v1/views/{id}", Access: APIAuth, Perm: authz.TicketRead, Handler: a.GetView, Summary: "Get a view", Reply: ticket.View{}},
		{Method: "PATCH", Path: "/api/v1/views/{id}", Access: APIAuth, Perm: authz.TicketRead, Handler: a.UpdateView, Summary: "Change a view (your own; shared ones need view.share)", Request: ticket.ViewPatch{}, Reply: ticket.View{}},
		{Method: "DELETE", Path: "/api/v1/views/{id}", Access: APIAuth, Perm: authz.TicketRead, Handler: a.DeleteView, Summary: "Delete a view (your own; shared ones need view.share)", Status: noContent},
		{Method: "GET", Path: "/api/v1/views/{id}/tickets", Access: APIAuth, Perm: authz.TicketRead, Handler: a.ViewTickets, Summary: "A view's tickets in its order", Query: []string{"limit", "cursor"}, Reply: page.List[ticket.Ticket]{}},
		{Method: "GET", Path: "/api/v1/tags", Access: APIAuth, Perm: authz.TicketRead, Handler: a.ListTags, Summary: "Tags in use with counts", Query: []string{"q", "limit"}, Reply: []ticket.TagCount{}},
		{Method: "POST", Path: "/api/v1/attachments", Access: APIAuth, Perm: authz.TicketNote, Handler: a.UploadAttachment, Summary: "Upload a file to attach to a comment (raw body; ?filename=)", Query: []string{"filename"}, Reply: ticket.Attachment{}, Status: created},
		{Method: "GET", Path: "/api/v1/attachments/{id}", Access: APIAuth, Perm: authz.TicketRead, Handler: a.DownloadAttachment, Summary: "Download an attachment"},

		// Automation: triggers, automations, macros.
		{Method: "GET", Path: "/api/v1/triggers", Access: APIAuth, Perm: authz.AutomationRead, Handler: a.ListTriggers, Summary: "List triggers in evaluation order", Reply: page.List[automation.Rule]{}},
		{Method: "POST", Path: "/api/v1/triggers", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.CreateTrigger, Summary: "Create a trigger (runs after every ticket change)", Request: automation.RuleInput{}, Reply: automation.Rule{}, Status: created},
		{Method: "POST", Path: "/api/v1/triggers/reorder", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.ReorderTriggers, Summary: "Set the evaluation order of all triggers", Request: api.ReorderInput{}, Reply: page.List[automation.Rule]{}},
		{Method: "GET", Path: "/api/v1/triggers/{id}", Access: APIAuth, Perm: authz.AutomationRead, Handler: a.GetTrigger, Summary: "Get a trigger", Reply: automation.Rule{}},
		{Method: "PATCH", Path: "/api/v1/triggers/{id}", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.UpdateTrigger, Summary: "Change a trigger", Request: automation.RulePatch{}, Reply: automation.Rule{}},
		{Method: "DELETE", Path: "/api/v1/triggers/{id}", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.DeleteTrigger, Summary: "Delete a trigger", Status: noContent},
		{Method: "GET", Path: "/api/v1/triggers/{id}/runs", Access: APIAuth, Perm: authz.AutomationRead, Handler: a.ListTriggerRuns, Summary: "A trigger's recent firings (debugging)", Query: []string{"limit", "cursor"}, Reply: page.List[automation.Run]{}},
		{Method: "GET", Path: "/api/v1/automations", Access: APIAuth, Perm: authz.AutomationRead, Handler: a.ListAutomations, Summary: "List time-based automations", Reply: page.List[automation.Rule]{}},
		{Method: "POST", Path: "/api/v1/automations", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.CreateAutomation, Summary: "Create an automation (evaluated every 5 minutes)", Request: automation.RuleInput{}, Reply: automation.Rule{}, Status: created},
		{Method: "GET", Path: "/api/v1/automations/{id}", Access: APIAuth, Perm: authz.AutomationRead, Handler: a.GetAutomation, Summary: "Get an automation", Reply: automation.Rule{}},
		{Method: "PATCH", Path: "/api/v1/automations/{id}", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.UpdateAutomation, Summary: "Change an automation", Request: automation.RulePatch{}, Reply: automation.Rule{}},
		{Method: "DELETE", Path: "/api/v1/automations/{id}", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.DeleteAutomation, Summary: "Delete an automation", Status: noContent},
		{Method: "GET", Path: "/api/v1/automations/{id}/runs", Access: APIAuth, Perm: authz.AutomationRead, Handler: a.ListAutomationRuns, Summary: "An automation's recent firings (debugging)", Query: []string{"limit", "cursor"}, Reply: page.List[automation.Run]{}},
		{Method: "GET", Path: "/api/v1/macros", Access: APIAuth, Perm: authz.MacroUse, Handler: a.ListMacros, Summary: "List the macros you may use (your own and shared)", Query: []string{"limit", "cursor"}, Reply: page.List[automation.Macro]{}},
		{Method: "POST", Path: "/api/v1/macros", Access: APIAuth, Perm: authz.MacroUse, Handler: a.CreateMacro, Summary: "Create a personal macro (shared ones need automation.write)", Request: automation.MacroInput{}, Reply: automation.Macro{}, Status: created},
		{Method: "GET", Path: "/api/v1/macros/{id}", Access: APIAuth, Perm: authz.MacroUse, Handler: a.GetMacro, Summary: "Get a macro", Reply: automation.Macro{}},
		{Method: "PATCH", Path: "/api/v1/macros/{id}", Access: APIAuth, Perm: authz.MacroUse, Handler: a.UpdateMacro, Summary: "Change a macro (your own; shared ones need automation.write)", Request: automation.MacroPatch{}, Reply: automation.Macro{}},
		{Method: "DELETE", Path: "/api/v1/macros/{id}", Access: APIAuth, Perm: authz.MacroUse, Handler: a.DeleteMacro, Summary: "Delete a macro (your own; shared ones need automation.write)", Status: noContent},
		{Method: "POST", Path: "/api/v1/tickets/{id}/macros/{macro_id}/preview", Access: APIAuth, Perm: authz.MacroUse, Handler: a.PreviewMacro, Summary: "Render a macro for a ticket without applying it", Reply: automation.MacroPreview{}},
		{Method: "POST", Path: "/api/v1/tickets/{id}/macros/{macro_id}/apply", Access: APIAuth, Perm: authz.MacroUse, Handler: a.ApplyMacro, Summary: "Apply a macro: its reply and field changes", Reply: automation.MacroResult{}},

		// SLA: business calendars, policies, ticket clocks.
		{Method: "GET", Path: "/api/v1/business-calendars", Access: APIAuth, Perm: authz.SLARead, Handler: a.ListBusinessCalendars, Summary: "List business-hours calendars", Reply: page.List[sla.BusinessCalendar]{}},
		{Method: "POST", Path: "/api/v1/business-calendars", Access: APIAuth, Perm: authz.SLAWrite, Handler: a.CreateBusinessCalendar, Summary: "Create a business-hours calendar", Request: sla.CalendarInput{}, Reply: sla.BusinessCalendar{}, Status: created},
		{Method: "GET", Path: "/api/v1/business-calendars/{id}", Access: APIAuth, Perm: authz.SLARead, Handler: a.GetBusinessCalendar, Summary: "Get a business-hours calendar", Reply: sla.BusinessCalendar{}},
		{Method: "PATCH", Path: "/api/v1/business-calendars/{id}", Access: APIAuth, Perm: authz.SLAWrite, Handler: a.UpdateBusinessCalendar, Summary: "Change a business-hours calendar", Request: sla.CalendarPatch{}, Reply: sla.BusinessCalendar{}},
		{Method: "DELETE", Path: "/api/v1/business-calendars/{id}", Access: APIAuth, Perm: authz.SLAWrite, Handler: a.DeleteBusinessCalendar, Summary: "Delete a calendar no SLA policy uses", Status: noContent},
		{Method: "GET", Path: "/api/v1/sla-policies", Access: APIAuth, Perm: authz.SLARead, Handler: a.ListSLAPolicies, Summary: "List SLA policies in the order they are tried", Reply: page.List[sla.Policy]{}},
		{Method: "POST", Path: "/api/v1/sla-policies", Access: APIAuth, Perm: authz.SLAWrite, Handler: a.CreateSLAPolicy, Summary: "Create an SLA policy (tried last)", Request: sla.PolicyInput{}, Reply: sla.Policy{}, Status: created},
		{Method: "POST", Path: "/api/v1/sla-policies/reorder", Access: APIAuth, Perm: authz.SLAWrite, Handler: a.ReorderSLAPolicies, Summary: "Set the order SLA policies are tried in", Request: sla.ReorderInput{}, Reply: page.List[sla.Policy]{}},
		{Method: "GET", Path: "/api/v1/sla-policies/{id}", Access: APIAuth, Perm: authz.SLARead, Handler: a.GetSLAPolicy, Summary: "Get an SLA policy", Reply: sla.Policy{}},
		{Method: "PATCH", Path: "/api/v1/sla-policies/{id}", Access: APIAuth, Perm: authz.SLAWrite, Handler: a.UpdateSLAPolicy, Summary: "Change an SLA policy", Request: sla.PolicyPatch{}, Reply: sla.Policy{}},
		{Method: "DELETE", Path: "/api/v1/sla-policies/{id}", Access: APIAuth, Perm: authz.SLAWrite, Handler: a.DeleteSLAPolicy, Summary: "Delete an SLA policy", Status: noContent},
		{Method: "GET", Path: "/api/v1/tickets/{id}/sla", Access: APIAuth, Perm: authz.TicketRead, Handler: a.GetTicketSLA, Summary: "A ticket's SLA clocks, computed from its history", Reply: sla.State{}},

		// Routing.
		{Method: "GET", Path: "/api/v1/routing/teams/{team_id}", Access: APIAuth, Perm: authz.AutomationRead, Handler: a.GetRoutingSettings, Summary: "A team's routing settings", Reply: routing.Settings{}},
		{Method: "PUT", Path: "/api/v1/routing/teams/{team_id}", Access: APIAuth, Perm: authz.AutomationWrite, Handler: a.PutRoutingSettings, Summary: "Replace a team's routing settings", Request: routing.SettingsInput{}, Reply: routing.Settings{}},
		{Method: "PUT", Path: "/api/v1/agents/{id}/availability", Access: APIAuth, Handler: a.SetAgentAvailability, Summary: "Set an agent's availability (own, or anyone's with agent.write)", Request: routing.AvailabilityInput{}, Reply: routing.Availability{}},

		// Custom fields.
		{Method: "GET", Path: "/api/v1/custom-fields", Access: APIAuth, Perm: authz.CustomFieldRead, Handler: a.ListFields, Summary: "List custom ticket fields", Reply: page.List[ticket.Field]{}},
		{Method: "POST", Path: "/api/v1/custom-fields", Access: APIAuth, Perm: authz.CustomFieldWrite, Handler: a.CreateField, Summary: "Define a custom ticket field", Request: ticket.FieldInput{}, Reply: ticket.Field{}, Status: created},
		{Method: "GET", Path: "/api/v1/custom-fields/{id}", Access: APIAuth, Perm: authz.CustomFieldRead, Handler: a.GetField, Summary: "Get a custom field", Reply: ticket.Field{}},
		{Method: "PATCH", Path: "/api/v1/custom-fields/{id}", Access: APIAuth, Perm: authz.CustomFieldWrite, Handler: a.UpdateField, Summary: "Change a custom field", Request: ticket.FieldPatch{}, Reply: ticket.Field{}},
		{Method: "DELETE", Path: "/api/v1/custom-fields/{id}", Access: APIAuth, Perm: authz.CustomFieldWrite, Handler: a.DeleteField, Summary: "Deactivate a custom field", Status: noContent},

		// Customers and organizations.
		{Method: "GET", Path: "/api/v1/customers", Access: APIAuth, Perm: authz.CustomerRead, Handler: a.ListCustomers, Summary: "List customers", Query: []string{"q", "organization_id", "limit", "cursor"}, Reply: page.List[customer.Customer]{}},
		{Method: "POST", Path: "/api/v1/customers", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.CreateCustomer, Summary: "Create a customer", Request: customer.CustomerInput{}, Reply: customer.Customer{}, Status: created},
		{Method: "GET", Path: "/api/v1/customers/{id}", Access: APIAuth, Perm: authz.CustomerRead, Handler: a.GetCustomer, Summary: "Get a customer", Reply: customer.Customer{}},
		{Method: "PATCH", Path: "/api/v1/customers/{id}", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.UpdateCustomer, Summary: "Update a customer", Request: customer.CustomerPatch{}, Reply: customer.Customer{}},
		{Method: "DELETE", Path: "/api/v1/customers/{id}", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.DeleteCustomer, Summary: "Delete a customer without tickets", Status: noContent},
		{Method: "POST", Path: "/api/v1/customers/{id}/identities", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.AddCustomerIdentity, Summary: "Add an email, phone or handle", Request: customer.Identity{}, Reply: customer.Identity{}, Status: created},
		{Method: "DELETE", Path: "/api/v1/customers/{id}/identities/{identity_id}", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.RemoveCustomerIdentity, Summary: "Remove an identity", Status: noContent},
		{Method: "POST", Path: "/api/v1/customers/{id}/merge", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.MergeCustomer, Summary: "Merge another customer into this one", Request: customer.MergeInput{}, Reply: customer.Customer{}},
		{Method: "GET", Path: "/api/v1/organizations", Access: APIAuth, Perm: authz.CustomerRead, Handler: a.ListOrganizations, Summary: "List organizations", Query: []string{"q", "limit", "cursor"}, Reply: page.List[customer.Organization]{}},
		{Method: "POST", Path: "/api/v1/organizations", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.CreateOrganization, Summary: "Create an organization", Request: customer.OrganizationInput{}, Reply: customer.Organization{}, Status: created},
		{Method: "GET", Path: "/api/v1/organizations/{id}", Access: APIAuth, Perm: authz.CustomerRead, Handler: a.GetOrganization, Summary: "Get an organization", Reply: customer.Organization{}},
		{Method: "PATCH", Path: "/api/v1/organizations/{id}", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.UpdateOrganization, Summary: "Update an organization", Request: customer.OrganizationPatch{}, Reply: customer.Organization{}},
		{Method: "DELETE", Path: "/api/v1/organizations/{id}", Access: APIAuth, Perm: authz.CustomerWrite, Handler: a.DeleteOrganization, Summary: "Delete an organization", Status: noContent},

		// Agents, teams, tokens.
		{Method: "GET", Path: "/api/v1/me", Access: APIAuth, Handler: a.GetMe, Summary: "The signed-in agent", Reply: agent.Agent{}},
		{Method: "GET", Path: "/api/v1/agents", Access: APIAuth, Perm: authz.AgentRead, Handler: a.ListAgents, Summary: "List agents", Query: []string{"team_id", "role", "q", "limit", "cursor"}, Reply: page.List[agent.Agent]{}},
		{Method: "POST", Path: "/api/v1/agents", Access: APIAuth, Perm: authz.AgentWrite, Handler: a.CreateAgent, Summary: "Create an agent", Request: agent.AgentInput{}, Reply: agent.Agent{}, Status: created},
		{Method: "GET", Path: "/api/v1/agents/{id}", Access: APIAuth, Perm: authz.AgentRead, Handler: a.GetAgent, Summary: "Get an agent", Reply: agent.Agent{}},
		{Method: "PATCH", Path: "/api/v1/agents/{id}", Access: APIAuth, Perm: authz.AgentWrite, Handler: a.UpdateAgent, Summary: "Update an agent", Request: agent.AgentPatch{}, Reply: agent.Agent{}},
		{Method: "DELETE", Path: "/api/v1/agents/{id}", Access: APIAuth, Perm: authz.AgentWrite, Handler: a.DeactivateAgent, Summary: "Deactivate an agent", Status: noContent},
		{Method: "GET", Path: "/api/v1/teams", Access: APIAuth, Perm: authz.TeamRead, Handler: a.ListTeams, Summary: "List teams", Reply: page.List[agent.Team]{}},
		{Method: "POST", Path: "/api/v1/teams", Access: APIAuth, Perm: authz.TeamWrite, Handler: a.CreateTeam, Summary: "Create a team", Request: agent.TeamInput{}, Reply: agent.Team{}, Status: created},
		{Method: "GET", Path: "/api/v1/teams/{id}", Access: APIAuth, Perm: authz.TeamRead, Handler: a.GetTeam, Summary: "Get a team", Reply: agent.Team{}},
		{Method: "PATCH", Path: "/api/v1/teams/{id}", Access: APIAuth, Perm: authz.TeamWrite, Handler: a.UpdateTeam, Summary: "Update a team", Request: agent.TeamPatch{}, Reply: agent.Team{}},
		{Method: "DELETE", Path: "/api/v1/teams/{id}", Access: APIAuth, Perm: authz.TeamWrite, Handler: a.DeleteTeam, Summary: "Delete a team", Status: noContent},
		{Method: "GET", Path: "/api/v1/tokens", Access: APIAuth, Handler: a.ListTokens, Summary: "List API tokens", Query: []string{"agent_id"}, Reply: page.List[auth.Token]{}},
		{Method: "POST", Path: "/api/v1/tokens", Access: APIAuth, Handler: a.CreateToken, Summary: "Create an API token (shown once)", Request: auth.CreateTokenInput{}, Reply: auth.NewToken{}, Status: created},
		{Method: "DELETE", Path: "/api/v1/tokens/{id}", Access: APIAuth, Handler: a.RevokeToken, Summary: "Revoke an API token", Status: noContent},

		// Email channel.
		{Method: "GET", Path: "/api/v1/mailboxes", Access: APIAuth, Perm: authz.ChannelRead, Handler: a.ListMailboxes, Summary: "List support mailboxes", Reply: page.List[email.Mailbox]{}},
		{Method: "POST", Path: "/api/v1/mailboxes", Access: APIAuth, Perm: authz.ChannelWrite, Handler: a.CreateMailbox, Summary: "Add a support mailbox", Request: email.MailboxInput{}, Reply: email.Mailbox{}, Status: created},
		{Method: "GET", Path: "/api/v1/mailboxes/{id}", Access: APIAuth, Perm: authz.ChannelRead, Handler: a.GetMailbox, Summary: "Get a mailbox", Reply: email.Mailbox{}},
		{Method: "PATCH", Path: "/api/v1/mailboxes/{id}", Access: APIAuth, Perm: authz.ChannelWrite, Handler: a.UpdateMailbox, Summary: "Change a mailbox", Request: email.MailboxInput{}, Reply: email.Mailbox{}},
		{Method: "DELETE", Path: "/api/v1/mailboxes/{id}", Access: APIAuth, Perm: authz.ChannelWrite, Handler: a.DeleteMailbox, Summary: "Delete a mailbox", Status: noContent},
		{Method: "GET", Path: "/api/v1/inbound-messages", Access: APIAuth, Perm: authz.ChannelRead, Handler: a.ListInboundMessages, Summary: "The inbound mail log (failed mail included)", Query: []string{"state", "mailbox_id", "limit", "cursor"}, Reply: page.List[email.InboundMessage]{}},
		{Method: "GET", Path: "/api/v1/inbound-messages/{id}", Access: APIAuth, Perm: authz.ChannelRead, Handler: a.GetInboundMessage, Summary: "One inbound message with its outcome or error", Reply: email.InboundMessage{}},
		{Method: "GET", Path: "/api/v1/inbound-messages/{id}/raw", Access: APIAuth, Perm: authz.ChannelRead, Handler: a.RawInboundMessage, Summary: "The message exactly as received (message/rfc822)"},
		{Method: "POST", Path: "/api/v1/inbound-messages/{id}/reprocess", Access: APIAuth, Perm: authz.ChannelWrite, Handler: a.ReprocessInboundMessage, Summary: "Process a failed or ignored message again", Reply: email.InboundMessage{}},
		{Method: "GET", Path: "/api/v1/tickets/{id}/comments/{comment_id}/original", Access: APIAuth, Perm: authz.TicketRead, Handler: a.OriginalEmail, Summary: "The full email behind a comment, quotes and signature included", Reply: email.Original{}},

		// Reports: every one as JSON or CSV (?format=csv), with the same filters.
		{Method: "GET", Path: "/api/v1/reports/overview", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportOverview, Summary: "Key figures of a period and the one before, with a series", Query: api.ReportParams(), Reply: report.Overview{}},
		{Method: "GET", Path: "/api/v1/reports/series", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportSeries, Summary: "Created, solved, backlog and reply times per day, week or month", Query: api.ReportParams("bucket"), Reply: []report.Point{}},
		{Method: "GET", Path: "/api/v1/reports/breakdown", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportBreakdown, Summary: "Figures per team, agent, channel, priority or type", Query: api.ReportParams("by"), Reply: []report.Row{}},
		{Method: "GET", Path: "/api/v1/reports/heatmap", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportHeatmap, Summary: "Created tickets by weekday and hour", Query: api.ReportParams(), Reply: api.Heatmap{}},
		{Method: "GET", Path: "/api/v1/reports/backlog-ages", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportBacklogAges, Summary: "Unsolved tickets by age", Query: api.ReportParams(), Reply: []report.AgeBucket{}},
		{Method: "GET", Path: "/api/v1/reports/tags", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportTags, Summary: "Tags of created tickets, against the previous period", Query: api.ReportParams("limit"), Reply: []report.TagCount{}},
		{Method: "GET", Path: "/api/v1/reports/facts", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportFacts, Summary: "The measurements behind the figures (NDJSON or CSV)", Query: api.ReportParams("kind"), Reply: api.FactRow{}},
		{Method: "GET", Path: "/api/v1/reports/events", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportEvents, Summary: "The raw ticket event log of a period (NDJSON or CSV)", Query: api.ReportParams(), Reply: ticket.Event{}},
		// Report goals and scheduled summaries (reportgoals.go).
		{Method: "GET", Path: "/api/v1/reports/goals", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ReportGoals, Summary: "Each goal's value over a period, met or not, the previous period's and a weekly trend", Query: api.ReportParams(), Reply: []report.GoalStatus{}},
		{Method: "GET", Path: "/api/v1/report-goals", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ListReportGoals, Summary: "List report goals (targets per metric and team)", Reply: page.List[report.Goal]{}},
		{Method: "POST", Path: "/api/v1/report-goals", Access: APIAuth, Perm: authz.ReportWrite, Handler: a.CreateReportGoal, Summary: "Set a goal on a metric for a team or everyone (ratios 0..1, durations in seconds)", Request: report.GoalInput{}, Reply: report.Goal{}, Status: created},
		{Method: "PATCH", Path: "/api/v1/report-goals/{id}", Access: APIAuth, Perm: authz.ReportWrite, Handler: a.UpdateReportGoal, Summary: "Change a goal's comparison or target", Request: report.GoalPatch{}, Reply: report.Goal{}},
		{Method: "DELETE", Path: "/api/v1/report-goals/{id}", Access: APIAuth, Perm: authz.ReportWrite, Handler: a.DeleteReportGoal, Summary: "Delete a goal", Status: noContent},
		{Method: "GET", Path: "/api/v1/report-subscriptions", Access: APIAuth, Perm: authz.ReportRead, Handler: a.ListReportSubscriptions, Summary: "Your summary subscriptions (?all=true: everyone's, admins only)", Query: []string{"all"}, Reply: page.List[report.Subscription]{}},
		{Method: "POST", Path: "/api/v1/report-subscriptions", Access: APIAuth, Perm: authz.ReportRead, Handler: a.CreateReportSubscription, Summary: "Email me a weekly or monthly summary", Request: report.SubscriptionInput{}, Reply: report.Subscription{}, Status: created},
		{Method: "DELETE", Path: "/api/v1/report-subscriptions/{id}", Access: APIAuth, Perm: authz.ReportRead, Handler: a.DeleteReportSubscription, Summary: "Stop a summary subscription (your own; admins any)", Status: noContent},

		// Background jobs.
		{Method: "GET", Path: "/api/v1/jobs", Access: APIAuth, Perm: authz.JobsManage, Handler: a.ListJobs, Summary: "Background jobs, dead letters included", Query: []string{"state", "limit", "cursor"}, Reply: page.List[jobs.Job]{}},
		{Method: "GET", Path: "/api/v1/jobs/{id}", Access: APIAuth, Perm: authz.JobsManage, Handler: a.GetJob, Summary: "One background job", Reply: jobs.Job{}},
		{Method: "POST", Path: "/api/v1/jobs/{id}/retry", Access: APIAuth, Perm: authz.JobsManage, Handler: a.RetryJob, Summary: "Run a dead job again", Reply: jobs.Job{}},

		// Administration.
		{Method: "POST", Path: "/api/v1/import", Access: APIAuth, Perm: authz.Import, Handler: a.Import, Summary: "Import history from NDJSON (application/x-ndjson)", Reply: importer.Result{}},
		{Method: "GET", Path: "/api/v1/audit", Access: APIAuth, Perm: authz.AuditRead, Handler: a.ListAudit, Summary: "Recent audit log entries", Query: []string{"limit"}},

		// Agent web UI.
		{Method: "GET", Path: "/static/{file...}", Access: Public, Handler: ui.Static, Summary: "Embedded CSS, JS and images (content-hashed URLs)"},
		{Method: "GET", Path: "/login", Access: Public, Handler: ui.LoginPage, Summary: "Sign-in page"},
		{Method: "POST", Path: "/login", Access: Public, Handler: ui.SignIn, Summary: "Sign in"},
		{Method: "POST", Path: "/logout", Access: UIAuth, Handler: ui.SignOut, Summary: "Sign out"},
		{Method: "GET", Path: "/profile", Access: UIAuth, Handler: ui.ProfilePage, Summary: "My profile: own language and time zone"},
		{Method: "POST", Path: "/profile", Access: UIAuth, Handler: ui.UpdateProfile, Summary: "Change own language and time zone (form)"},
		{Method: "GET", Path: "/{$}", Access: UIAuth, Handler: ui.Home, Summary: "Home: redirects to the ticket list"},
		{Method: "GET", Path: "/tickets", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.TicketList, Summary: "Ticket list page"},
		{Method: "GET", Path: "/views/new", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.NewViewPage, Summary: "Form to save a ticket view (?q= fills in the query)", Query: []string{"q"}},
		{Method: "POST", Path: "/views", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.CreateView, Summary: "Save a ticket view (form; shared ones need view.share)"},
		{Method: "GET", Path: "/views/{id}", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.ViewPage, Summary: "A view's settings form"},
		{Method: "POST", Path: "/views/{id}", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.UpdateView, Summary: "Change a view (form; shared ones need view.share)"},
		{Method: "POST", Path: "/views/{id}/delete", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.DeleteView, Summary: "Delete a view (form)"},
		{Method: "POST", Path: "/tickets/bulk", Access: UIAuth, Perm: authz.TicketBulk, Handler: ui.BulkUpdate, Summary: "Change the selected tickets of a list (form)"},
		{Method: "GET", Path: "/tickets/{id}", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.TicketPage, Summary: "Ticket page"},
		{Method: "POST", Path: "/tickets/{id}", Access: UIAuth, Perm: authz.TicketUpdate, Handler: ui.UpdateTicket, Summary: "Change ticket fields (form)"},
		{Method: "POST", Path: "/tickets/{id}/comments", Access: UIAuth, Perm: authz.TicketNote, Handler: ui.AddComment, Summary: "Reply or add a note (form, multipart with attachments; @mentions notify agents)"},
		{Method: "GET", Path: "/tickets/{id}/print", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.PrintTicket, Summary: "Print view: the ticket's fields and whole conversation, without navigation"},
		{Method: "GET", Path: "/agents/mentions", Access: UIAuth, Perm: authz.TicketNote, Handler: ui.MentionAgents, Summary: "Agents a comment may @mention (JSON, for the composer's autocomplete)", Query: []string{"q"}},
		{Method: "GET", Path: "/admin/jobs", Access: UIAuth, Perm: authz.JobsManage, Handler: ui.JobsPage, Summary: "Background jobs and dead letters", Query: []string{"state", "retried"}},
		{Method: "POST", Path: "/admin/jobs/{id}/retry", Access: UIAuth, Perm: authz.JobsManage, Handler: ui.RetryJob, Summary: "Run a dead job again (form)"},
		{Method: "GET", Path: "/reports", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportOverview, Summary: "Reports overview: key figures against the previous period, created/solved, backlog and first-reply trends", Query: reportUIQuery()},
		{Method: "GET", Path: "/reports/team", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportTeams, Summary: "Performance by team (?sort=&dir=)", Query: reportUIQuery("sort", "dir")},
		{Method: "GET", Path: "/reports/agents", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportAgents, Summary: "Performance by agent (?sort=&dir=)", Query: reportUIQuery("sort", "dir")},
		{Method: "GET", Path: "/reports/sla", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportSLA, Summary: "SLA attainment per target, achieved and breached, and its trend", Query: reportUIQuery()},
		{Method: "GET", Path: "/reports/backlog", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportBacklog, Summary: "Backlog over the period and unsolved tickets by age", Query: reportUIQuery()},
		{Method: "GET", Path: "/reports/channels", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportChannels, Summary: "Volume and figures by channel (?sort=&dir=)", Query: reportUIQuery("sort", "dir")},
		{Method: "GET", Path: "/reports/heatmap", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportHeatmap, Summary: "Tickets created by weekday and hour in your time zone", Query: reportUIQuery()},
		{Method: "GET", Path: "/reports/tags", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportTags, Summary: "Most used tags against the previous period", Query: reportUIQuery()},
		{Method: "GET", Path: "/reports/facts", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportFacts, Summary: "Drill-down: the facts and tickets behind a figure (first 500)", Query: reportUIQuery("kind")},
		{Method: "GET", Path: "/reports/goals", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.ReportGoalsPage, Summary: "Report goals with their status, and the summary subscription form", Query: []string{"from", "to", "saved", "deleted", "subscribed", "unsubscribed"}},
		{Method: "POST", Path: "/reports/goals", Access: UIAuth, Perm: authz.ReportWrite, Handler: ui.CreateReportGoal, Summary: "Add a report goal (form)"},
		{Method: "POST", Path: "/reports/goals/{id}", Access: UIAuth, Perm: authz.ReportWrite, Handler: ui.UpdateReportGoal, Summary: "Change a report goal's target (form)"},
		{Method: "POST", Path: "/reports/goals/{id}/delete", Access: UIAuth, Perm: authz.ReportWrite, Handler: ui.DeleteReportGoal, Summary: "Delete a report goal (form)"},
		{Method: "POST", Path: "/reports/subscriptions", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.SubscribeReport, Summary: "Email me a weekly or monthly summary (form)"},
		{Method: "POST", Path: "/reports/subscriptions/{id}/delete", Access: UIAuth, Perm: authz.ReportRead, Handler: ui.UnsubscribeReport, Summary: "Stop a summary subscription (form)"},
		{Method: "GET", Path: "/live", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.LiveStream, Summary: "Live ticket changes and presence (Server-Sent Events; ?ticket=ID)", Query: []string{"ticket"}},
		{Method: "POST", Path: "/tickets/{id}/macros/preview", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.PreviewMacro, Summary: "Show a macro's text in the composer and its field changes (form: macro_id)"},
		{Method: "POST", Path: "/tickets/{id}/macros/apply", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.ApplyMacro, Summary: "Apply a macro to the ticket (form: macro_id)"},
		{Method: "POST", Path: "/tickets/{id}/draft", Access: UIAuth, Perm: authz.TicketNote, Handler: ui.SaveDraft, Summary: "Save the composer's draft (empty body removes it)"},
		{Method: "POST", Path: "/tickets/{id}/presence", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.SetPresence, Summary: "Say you are viewing, typing on or leaving a ticket"},
		{Method: "GET", Path: "/tickets/{id}/comments/{comment_id}/original", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.OriginalEmail, Summary: "The full email behind a comment"},
		{Method: "GET", Path: "/admin/mailboxes", Access: UIAuth, Perm: authz.ChannelRead, Handler: ui.Mailboxes, Summary: "Mailbox list, with the form to add one"},
		{Method: "POST", Path: "/admin/mailboxes", Access: UIAuth, Perm: authz.ChannelWrite, Handler: ui.CreateMailbox, Summary: "Add a mailbox (form)"},
		{Method: "GET", Path: "/admin/mailboxes/{id}", Access: UIAuth, Perm: authz.ChannelRead, Handler: ui.MailboxPage, Summary: "Mailbox settings page"},
		{Method: "POST", Path: "/admin/mailboxes/{id}", Access: UIAuth, Perm: authz.ChannelWrite, Handler: ui.UpdateMailbox, Summary: "Change a mailbox (form)"},
		{Method: "POST", Path: "/admin/mailboxes/{id}/delete", Access: UIAuth, Perm: authz.ChannelWrite, Handler: ui.DeleteMailbox, Summary: "Delete a mailbox (form)"},
		{Method: "POST", Path: "/admin/mailboxes/{id}/check-imap", Access: UIAuth, Perm: authz.ChannelWrite, Handler: ui.CheckIMAP, Summary: "Test a mailbox's IMAP settings"},
		{Method: "GET", Path: "/admin/mail", Access: UIAuth, Perm: authz.ChannelRead, Handler: ui.MailLog, Summary: "Inbound mail log page"},
		{Method: "POST", Path: "/admin/mail/{id}/reprocess", Access: UIAuth, Perm: authz.ChannelWrite, Handler: ui.ReprocessMail, Summary: "Process a failed or ignored message again (form)"},
		{Method: "GET", Path: "/customers", Access: UIAuth, Perm: authz.CustomerRead, Handler: ui.CustomerList, Summary: "Customer list page (search, organization filter), with the form to add one", Query: []string{"q", "organization_id", "cursor"}},
		{Method: "POST", Path: "/customers", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.CreateCustomer, Summary: "Add a customer (form)"},
		{Method: "GET", Path: "/customers/{id}", Access: UIAuth, Perm: authz.CustomerRead, Handler: ui.CustomerPage, Summary: "Customer profile: identities, notes and tickets on every channel"},
		{Method: "POST", Path: "/customers/{id}", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.UpdateCustomer, Summary: "Change a customer's profile and notes (form)"},
		{Method: "POST", Path: "/customers/{id}/identities", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.AddIdentity, Summary: "Add an email, phone or handle (form)"},
		{Method: "POST", Path: "/customers/{id}/identities/{identity_id}/delete", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.RemoveIdentity, Summary: "Remove an identity (form)"},
		{Method: "POST", Path: "/customers/{id}/merge", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.MergeCustomer, Summary: "Merge another customer into this one (form: review, then confirm=yes)"},
		{Method: "GET", Path: "/organizations", Access: UIAuth, Perm: authz.CustomerRead, Handler: ui.Organizations, Summary: "Organization list page, with the form to add one", Query: []string{"q", "cursor"}},
		{Method: "POST", Path: "/organizations", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.CreateOrganization, Summary: "Add an organization (form)"},
		{Method: "GET", Path: "/organizations/{id}", Access: UIAuth, Perm: authz.CustomerRead, Handler: ui.OrganizationPage, Summary: "Organization page: settings, members and tickets"},
		{Method: "POST", Path: "/organizations/{id}", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.UpdateOrganization, Summary: "Change an organization (form)"},
		{Method: "POST", Path: "/organizations/{id}/delete", Access: UIAuth, Perm: authz.CustomerWrite, Handler: ui.DeleteOrganization, Summary: "Delete an organization without tickets (form)"},
		{Method: "GET", Path: "/admin/agents", Access: UIAuth, Perm: authz.AgentRead, Handler: ui.AgentList, Summary: "Agent list, with the form to invite one"},
		{Method: "POST", Path: "/admin/agents", Access: UIAuth, Perm: authz.AgentWrite, Handler: ui.CreateAgent, Summary: "Invite an agent (form)"},
		{Method: "GET", Path: "/admin/agents/{id}", Access: UIAuth, Perm: authz.AgentRead, Handler: ui.AgentPage, Summary: "Agent settings page"},
		{Method: "POST", Path: "/admin/agents/{id}", Access: UIAuth, Perm: authz.AgentWrite, Handler: ui.UpdateAgent, Summary: "Change an agent's role, teams, skills or status (form)"},
		{Method: "GET", Path: "/admin/teams", Access: UIAuth, Perm: authz.TeamRead, Handler: ui.TeamList, Summary: "Team list, with the form to add one"},
		{Method: "POST", Path: "/admin/teams", Access: UIAuth, Perm: authz.TeamWrite, Handler: ui.CreateTeam, Summary: "Add a team (form)"},
		{Method: "GET", Path: "/admin/teams/{id}", Access: UIAuth, Perm: authz.TeamRead, Handler: ui.TeamPage, Summary: "Team settings and members page"},
		{Method: "POST", Path: "/admin/teams/{id}", Access: UIAuth, Perm: authz.TeamWrite, Handler: ui.UpdateTeam, Summary: "Change a team and its members (form)"},
		{Method: "POST", Path: "/admin/teams/{id}/delete", Access: UIAuth, Perm: authz.TeamWrite, Handler: ui.DeleteTeam, Summary: "Delete a team without tickets (form)"},
		{Method: "GET", Path: "/admin/fields", Access: UIAuth, Perm: authz.CustomFieldRead, Handler: ui.FieldList, Summary: "Custom ticket field list, with the form to add one"},
		{Method: "POST", Path: "/admin/fields", Access: UIAuth, Perm: authz.CustomFieldWrite, Handler: ui.CreateField, Summary: "Define a custom ticket field (form)"},
		{Method: "GET", Path: "/admin/fields/{id}", Access: UIAuth, Perm: authz.CustomFieldRead, Handler: ui.FieldPage, Summary: "Custom field settings page"},
		{Method: "POST", Path: "/admin/fields/{id}", Access: UIAuth, Perm: authz.CustomFieldWrite, Handler: ui.UpdateField, Summary: "Change a custom field (form)"},
		{Method: "POST", Path: "/admin/fields/{id}/deactivate", Access: UIAuth, Perm: authz.CustomFieldWrite, Handler: ui.DeactivateField, Summary: "Deactivate a custom field (form)"},
		{Method: "GET", Path: "/admin/tags", Access: UIAuth, Perm: authz.TicketRead, Handler: ui.TagList, Summary: "Tags in use with counts", Query: []string{"q"}},
		{Method: "GET", Path: "/admin/calendars", Access: UIAuth, Perm: authz.SLARead, Handler: ui.Calendars, Summary: "Business-hours calendar list"},
		{Method: "GET", Path: "/admin/calendars/new", Access: UIAuth, Perm: authz.SLARead, Handler: ui.NewCalendarPage, Summary: "Form to add a business-hours calendar"},
		{Method: "POST", Path: "/admin/calendars", Access: UIAuth, Perm: authz.SLAWrite, Handler: ui.CreateCalendar, Summary: "Add a business-hours calendar (form)"},
		{Method: "GET", Path: "/admin/calendars/{id}", Access: UIAuth, Perm: authz.SLARead, Handler: ui.CalendarPage, Summary: "Business-hours calendar page: schedule and holidays"},
		{Method: "POST", Path: "/admin/calendars/{id}", Access: UIAuth, Perm: authz.SLAWrite, Handler: ui.UpdateCalendar, Summary: "Change a business-hours calendar (form)"},
		{Method: "POST", Path: "/admin/calendars/{id}/delete", Access: UIAuth, Perm: authz.SLAWrite, Handler: ui.DeleteCalendar, Summary: "Delete a calendar no SLA policy uses (form)"},
		{Method: "GET", Path: "/admin/sla-policies", Access: UIAuth, Perm: authz.SLARead, Handler: ui.SLAPolicies, Summary: "SLA policies in the order they are tried"},
		{Method: "GET", Path: "/admin/sla-policies/new", Access: UIAuth, Perm: authz.SLARead, Handler: ui.NewSLAPolicyPage, Summary: "Form to add an SLA policy"},
		{Method: "POST", Path: "/admin/sla-policies", Access: UIAuth, Perm: authz.SLAWrite, Handler: ui.CreateSLAPolicy, Summary: "Add an SLA policy (form)"},
		{Method: "GET", Path: "/admin/sla-policies/{id}", Access: UIAuth, Perm: authz.SLARead, Handler: ui.SLAPolicyPage, Summary: "SLA policy page: conditions and targets"},
		{Method: "POST", Path: "/admin/sla-policies/{id}", Access: UIAuth, Perm: authz.SLAWrite, Handler: ui.UpdateSLAPolicy, Summary: "Change an SLA policy (form)"},
		{Method: "POST", Path: "/admin/sla-policies/{id}/delete", Access: UIAuth, Perm: authz.SLAWrite, Handler: ui.DeleteSLAPolicy, Summary: "Delete an SLA policy (form)"},
		{Method: "POST", Path: "/admin/sla-policies/{id}/move", Access: UIAuth, Perm: authz.SLAWrite, Handler: ui.MoveSLAPolicy, Summary: "Move an SLA policy up or down the order (form: direction)"},
		{Method: "GET", Path: "/admin/triggers", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.RuleList(automation.KindTrigger), Summary: "Triggers in evaluation order"},
		{Method: "GET", Path: "/admin/triggers/new", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.NewRulePage(automation.KindTrigger), Summary: "Form to add a trigger"},
		{Method: "POST", Path: "/admin/triggers", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.CreateRule(automation.KindTrigger), Summary: "Add a trigger (form)"},
		{Method: "GET", Path: "/admin/triggers/{id}", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.RulePage(automation.KindTrigger), Summary: "Trigger page"},
		{Method: "POST", Path: "/admin/triggers/{id}", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.UpdateRule(automation.KindTrigger), Summary: "Change a trigger (form)"},
		{Method: "POST", Path: "/admin/triggers/{id}/delete", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.DeleteRule(automation.KindTrigger), Summary: "Delete a trigger (form)"},
		{Method: "POST", Path: "/admin/triggers/{id}/move", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.MoveTrigger, Summary: "Move a trigger up or down the order (form: direction)"},
		{Method: "GET", Path: "/admin/automations", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.RuleList(automation.KindAutomation), Summary: "Time-based automations"},
		{Method: "GET", Path: "/admin/automations/new", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.NewRulePage(automation.KindAutomation), Summary: "Form to add an automation"},
		{Method: "POST", Path: "/admin/automations", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.CreateRule(automation.KindAutomation), Summary: "Add an automation (form)"},
		{Method: "GET", Path: "/admin/automations/{id}", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.RulePage(automation.KindAutomation), Summary: "Automation page"},
		{Method: "POST", Path: "/admin/automations/{id}", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.UpdateRule(automation.KindAutomation), Summary: "Change an automation (form)"},
		{Method: "POST", Path: "/admin/automations/{id}/delete", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.DeleteRule(automation.KindAutomation), Summary: "Delete an automation (form)"},
		{Method: "GET", Path: "/admin/routing", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.RoutingTeams, Summary: "Routing settings of every team"},
		{Method: "GET", Path: "/admin/routing/{id}", Access: UIAuth, Perm: authz.AutomationRead, Handler: ui.RoutingTeamPage, Summary: "A team's routing settings form"},
		{Method: "POST", Path: "/admin/routing/{id}", Access: UIAuth, Perm: authz.AutomationWrite, Handler: ui.SaveRouting, Summary: "Save a team's routing settings (form)"},
		{Method: "GET", Path: "/admin/macros", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.Macros, Summary: "Macros you may use (your own and shared)"},
		{Method: "GET", Path: "/admin/macros/new", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.NewMacroPage, Summary: "Form to add a macro"},
		{Method: "POST", Path: "/admin/macros", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.CreateMacro, Summary: "Add a macro (form; shared ones need automation.write)"},
		{Method: "GET", Path: "/admin/macros/{id}", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.MacroPage, Summary: "Macro page"},
		{Method: "POST", Path: "/admin/macros/{id}", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.UpdateMacro, Summary: "Change a macro (form; shared ones need automation.write)"},
		{Method: "POST", Path: "/admin/macros/{id}/delete", Access: UIAuth, Perm: authz.MacroUse, Handler: ui.DeleteMacro, Summary: "Delete a macro (form; shared ones need automation.write)"},
	}
}
