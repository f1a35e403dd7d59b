package web

import (
	"reflect"
	"slices"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/channel/phone"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/sla"
	"github.com/ombud/ombud/internal/webhook"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/report"
	"github.com/ombud/ombud/internal/routing"
	"github.com/ombud/ombud/internal/ticket"
)

// enumTypes are the string types whose every value is known. Go has no
// enum type to reflect on, so the lists the services validate with are
// named here; TestOpenAPIResponses fails when a reply carries a value a
// list lacks.
var enumTypes = map[reflect.Type][]string{
	reflect.TypeFor[ticket.Status]():    strs(ticket.Statuses),
	reflect.TypeFor[authz.Role]():       strs(authz.Roles),
	reflect.TypeFor[authz.Kind]():       {string(authz.KindAgent), string(authz.KindCustomer), string(authz.KindSystem)},
	reflect.TypeFor[routing.Method]():   strs(routing.Methods),
	reflect.TypeFor[automation.Kind]():  {string(automation.KindTrigger), string(automation.KindAutomation)},
	reflect.TypeFor[privacy.Mode]():     {string(privacy.Anonymise), string(privacy.Delete)},
	reflect.TypeFor[report.Unit]():      {string(report.Seconds), string(report.Ratio), string(report.Count), string(report.Number), string(report.Score)},
	reflect.TypeFor[report.Direction](): {string(report.Neutral), string(report.HigherIsBetter), string(report.LowerIsBetter)},
	reflect.TypeFor[apperr.Code](): {string(apperr.CodeInvalid), string(apperr.CodeUnprocessable), string(apperr.CodeNotFound), string(apperr.CodeConflict),
		string(apperr.CodeForbidden), string(apperr.CodeUnauthenticated), string(apperr.CodeRateLimited), string(apperr.CodeTooLarge),
		string(apperr.CodeUnsupported), string(apperr.CodeMethod), string(apperr.CodeInternal)},
}

// enumFields are plain string fields with a closed set of values, by
// component name and JSON name.
var enumFields = map[string][]string{
	"ticket.Ticket.priority":                 ticket.Priorities,
	"orders.Case.kind":                       orders.Kinds,
	"orders.Case.status":                     orders.Statuses,
	"orders.CaseInput.kind":                  orders.Kinds,
	"orders.TransitionInput.status":          orders.Statuses[1:], // not back to requested
	"ticket.Ticket.type":                     ticket.Types,
	"ticket.Ticket.channel":                  ticket.Channels,
	"ticket.CreateInput.priority":            ticket.Priorities,
	"ticket.CreateInput.type":                ticket.Types,
	"ticket.CreateInput.channel":             ticket.Channels,
	"ticket.Patch.priority":                  ticket.Priorities,
	"ticket.Patch.type":                      ticket.Types,
	"ticket.Comment.author_type":             actorKinds,
	"ticket.Comment.channel":                 ticket.Channels,
	"ticket.Person.type":                     actorKinds,
	"ticket.Event.actor_type":                actorKinds,
	"ticket.Field.type":                      ticket.FieldTypes,
	"ticket.FieldInput.type":                 ticket.FieldTypes,
	"ticket.View.sort":                       ticket.Sorts,
	"ticket.ViewInput.sort":                  ticket.Sorts,
	"ticket.ViewPatch.sort":                  ticket.Sorts,
	"customer.Identity.type":                 customer.IdentityTypes,
	"customer.IdentityInput.type":            customer.IdentityTypes,
	"agent.Agent.availability":               agent.Availabilities,
	"agent.AgentPatch.availability":          agent.Availabilities,
	"routing.Availability.availability":      agent.Availabilities,
	"routing.AvailabilityInput.availability": agent.Availabilities,
	"routing.Settings.offline_policy":        {"keep", "return"},
	"routing.SettingsInput.offline_policy":   {"keep", "return"},
	"automation.Macro.scope":                 {automation.ScopePersonal, automation.ScopeShared},
	"automation.MacroInput.scope":            {automation.ScopePersonal, automation.ScopeShared},
	"email.Delivery.state":                   {"sending", "sent", "delivered", "failed", "bounced", "superseded"},
	"email.InboundMessage.state":             {"processed", "failed", "ignored"},
	"email.Relay.security":                   mailSecurity,
	"email.RelayInput.security":              mailSecurity,
	"email.IMAPSource.security":              mailSecurity,
	"email.IMAPInput.security":               mailSecurity,
	"email.Delivery.reason": {email.ReasonNoMailbox, email.ReasonNoRelay, email.ReasonNoAddress, email.ReasonConnect, email.ReasonTLS,
		email.ReasonAuth, email.ReasonInsecure, email.ReasonRecipient, email.ReasonRejected, email.ReasonTemporary, email.ReasonTooLarge,
		email.ReasonBounced, email.ReasonOther},
	"sla.Metric.status":                  {sla.StatusActive, sla.StatusPaused, sla.StatusAchieved, sla.StatusBreached},
	"sla.Metric.metric":                  {sla.FirstReply, sla.NextReply, sla.PeriodicUpdate, sla.Resolution},
	"jobs.Job.state":                     jobs.States,
	"webhook.Delivery.state":             {"pending", "delivered", "failed", "cancelled"},
	"webhook.Delivery.event_type":        append(slices.Clone(webhook.EventTypes), "ping"),
	"webhook.Subscription.events":        webhook.EventTypes,
	"webhook.Input.events":               webhook.EventTypes,
	"phone.Payload.event":                phone.Events,
	"phone.Result.event":                 phone.Events,
	"messaging.Payload.type":             messaging.Types,
	"messaging.Payload.status":           messaging.Statuses,
	"messaging.Result.type":              messaging.Types,
	"messaging.Result.state":             append([]string{messaging.StateQueued}, messaging.Statuses...),
	"messaging.Delivery.state":           append([]string{messaging.StateQueued}, messaging.Statuses...),
	"chat.Prechat.name":                  chat.FieldModes,
	"chat.Prechat.email":                 chat.FieldModes,
	"chat.Prechat.topic":                 chat.FieldModes,
	"chat.PrechatInput.name":             chat.FieldModes,
	"chat.PrechatInput.topic":            chat.FieldModes,
	"messaging.Integration.provider":     messaging.Providers,
	"messaging.Input.provider":           messaging.Providers,
	"messaging.Window.provider":          messaging.Providers,
	"webhook.Patch.events":               webhook.EventTypes,
	"report.Subscription.frequency":      {report.Weekly, report.Monthly},
	"report.SubscriptionInput.frequency": {report.Weekly, report.Monthly},
	"report.Goal.op":                     {report.AtMost, report.AtLeast},
	"report.GoalInput.op":                {report.AtMost, report.AtLeast},
	"report.GoalPatch.op":                {report.AtMost, report.AtLeast},
	"api.FactRow.kind":                   report.Kinds,
}

var (
	actorKinds   = []string{string(authz.KindAgent), string(authz.KindCustomer), string(authz.KindSystem)}
	mailSecurity = []string{"none", "starttls", "tls"}
)

// neverNull are slice and map fields the code always fills, so null is
// not among their values.
var neverNull = map[string]bool{
	"page.List.data":          true, // page.Trim and page.All
	"api.Data.data":           true, // api.DataOf
	"api.BreakdownReply.data": true,
	// ticket's scan starts them empty (ticket/store.go).
	"ticket.Ticket.tags":          true,
	"ticket.Ticket.follower_ids":  true,
	"ticket.Ticket.custom_fields": true,
}

// nullWhenPresent are omitempty pointer fields the handlers write as null
// rather than leave out: Zendesk's offset pages say "next_page": null on
// the last page (zendesk/pages.go builds them as maps).
var nullWhenPresent = map[string]bool{}

func init() {
	for _, list := range []string{"zendesk.TicketList", "zendesk.CommentList", "zendesk.UserList", "zendesk.OrganizationList"} {
		nullWhenPresent[list+".next_page"] = true
		nullWhenPresent[list+".previous_page"] = true
	}
}

// requestRequired are the fields a request body must have, by component
// name: the services refuse a body without them ("is required"), which
// Go's types cannot say. Fields required in one of two forms (a ticket's
// description or description_html, a comment's body or html) are left out.
var requestRequired = map[string][]string{
	"ticket.CreateInput":    {"subject"},
	"api.BulkInput":         {"ids", "patch"},
	"api.MergeInput":        {"source_id"},
	"customer.MergeInput":   {"merge_id"},
	"webhook.Input":         {"name", "url"},
	"phone.Payload":         {"call_id", "event", "from"},
	"messaging.Payload":     {"type", "message_id"},
	"messaging.Input":       {"name", "provider"},
	"automation.RuleInput":  {"name"},
	"routing.SettingsInput": {"method"},
	"report.GoalInput":      {"metric"},
	"sla.PolicyInput":       {"name"},
	"auth.PasswordChange":   {"current_password", "new_password"},
	"api.ReorderInput":      {"ids"},
	"sla.ReorderInput":      {"ids"},
	"chat.PrechatInput":     {"name", "topic"},
}

func strs[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}
