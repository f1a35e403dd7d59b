// Package webhooks serves the webhook subscription pages under
// Administration: the list with the form to add one, a subscription's
// settings and delivery log, one delivery with its attempts, and the
// signing secret shown once after it is made or rotated.
package webhooks

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
	"github.com/ombud/ombud/internal/webhook"
)

//go:embed templates/*.html partials/*.html
var templateFS embed.FS

// DocsURL is the integrator's guide the secret page links to.
const DocsURL = "https://github.com/ombud/ombud/blob/main/docs/webhooks.md"

// UI serves the webhook pages.
type UI struct {
	*ui.UI
	Webhooks *webhook.Service
	pages    map[string]*template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *webhook.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "webhooks", "webhook", "secret", "delivery", "confirmdelete")
	if err != nil {
		return nil, err
	}
	for _, name := range []string{"webhooks", "webhook"} { // the form's fields, shared
		if pages[name], err = pages[name].ParseFS(templateFS, "partials/fields.html"); err != nil {
			return nil, fmt.Errorf("webhook pages: %w", err)
		}
	}
	return &UI{UI: shared, Webhooks: svc, pages: pages}, nil
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name string, p ui.PageData) error {
	p.Nav = "webhooks"
	return u.Render(w, r, status, u.pages[name], p)
}

// EventLabels are the words of the event types (English; pages translate).
var EventLabels = map[string]string{
	webhook.TicketCreated: "Ticket created", webhook.TicketUpdated: "Ticket changed", webhook.TicketSolved: "Ticket solved",
	webhook.TicketMerged: "Tickets merged", webhook.CommentAdded: "Comment added", webhook.CustomerCreated: "Customer created",
	webhook.SLABreached: "SLA breached", webhook.CSATReceived: "Satisfaction rating received", webhook.Ping: "Test event",
}

// States are the delivery log's filters, in the order of the links.
var States = []ui.Option{{Value: "", Label: "All"}, {Value: webhook.StatePending, Label: "Pending"},
	{Value: webhook.StateDelivered, Label: "Delivered"}, {Value: webhook.StateFailed, Label: "Failed"}, {Value: webhook.StateCancelled, Label: "Cancelled"}}

func stateLabel(s string) string {
	for _, o := range States {
		if o.Value == s {
			return o.Label
		}
	}
	return s
}

// eventOptions are the event checkboxes (the ping is no choice).
func eventOptions() []ui.Option {
	out := make([]ui.Option, 0, len(webhook.EventTypes))
	for _, e := range webhook.EventTypes {
		out = append(out, ui.Option{Value: e, Label: EventLabels[e]})
	}
	return out
}

// subRow is a subscription with its events in words.
type subRow struct {
	webhook.Subscription
	EventNames []string
}

func (u *UI) row(lang string, s webhook.Subscription) subRow {
	row := subRow{Subscription: s}
	for _, e := range s.Events {
		row.EventNames = append(row.EventNames, u.I18n().String(lang, EventLabels[e]))
	}
	return row
}

// List answers GET /admin/webhooks.
func (u *UI) List(w http.ResponseWriter, r *http.Request) error {
	flash := ui.FlashOf(r, map[string]string{"deleted": "Webhook deleted."})
	f := ui.NewForm(map[string]string{"active": "on"})
	return u.list(w, r, http.StatusOK, flash, "", f)
}

func (u *UI) list(w http.ResponseWriter, r *http.Request, status int, flash, problem string, f ui.Form) error {
	subs, err := u.Webhooks.List(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	lang := u.Lang(r)
	rows := make([]subRow, 0, len(subs))
	for _, s := range subs {
		rows = append(rows, u.row(lang, s))
	}
	return u.render(w, r, status, "webhooks", ui.PageData{Title: "Webhooks", Flash: flash, Error: problem, Data: map[string]any{
		"Rows": rows, "Form": f, "Events": f.Checks("events", "Events", "Ombud posts these events to the URL.", eventOptions()),
	}})
}

// Create answers POST /admin/webhooks (form: name, url, events, active):
// the signing secret shows on the answer, and nowhere afterwards.
func (u *UI) Create(w http.ResponseWriter, r *http.Request) error {
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	active := f.V("active") != ""
	in := webhook.Input{Name: f.V("name"), URL: f.V("url"), Events: f.Multi["events"], Active: &active}
	sub, err := u.Webhooks.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		if _, msg, ok := ui.Refused(err, f); ok {
			return u.list(w, r, http.StatusUnprocessableEntity, "", firstNonEmpty(msg, "Check the webhook."), f)
		}
		return err
	}
	return u.secret(w, r, http.StatusOK, sub, "Webhook added.")
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (u *UI) secret(w http.ResponseWriter, r *http.Request, status int, sub webhook.Subscription, flash string) error {
	return u.render(w, r, status, "secret", ui.PageData{Title: "Signing secret", Flash: flash, Data: map[string]any{
		"Sub": sub, "Docs": DocsURL,
	}})
}

// deliveryRow is one delivery of the log, its time in the agent's zone.
type deliveryRow struct {
	webhook.Delivery
	When, Event, StateLabel string
}

func (u *UI) deliveryRow(lang string, r *http.Request, d webhook.Delivery) deliveryRow {
	ev := d.EventType
	if l, ok := EventLabels[ev]; ok {
		ev = u.I18n().String(lang, l)
	}
	return deliveryRow{Delivery: d, When: ui.When(lang, d.CreatedAt, ui.Location(r)), Event: ev, StateLabel: u.I18n().String(lang, stateLabel(d.State))}
}

// Page answers GET /admin/webhooks/{id}: settings, actions and the
// delivery log (?state, ?cursor).
func (u *UI) Page(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	flash := ui.FlashOf(r, map[string]string{"saved": "Saved.", "on": "The webhook is switched on.", "off": "The webhook is switched off.",
		"pinged": "A test event is on its way: see the delivery log."})
	return u.page(w, r, http.StatusOK, id, flash, "", nil)
}

func (u *UI) page(w http.ResponseWriter, r *http.Request, status int, id int64, flash, problem string, f *ui.Form) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	sub, err := u.Webhooks.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	state := q.Get("state")
	pr, err := page.Parse("50", q.Get("cursor"))
	if err != nil {
		return err
	}
	list, err := u.Webhooks.Deliveries(ctx, actor, id, state, pr)
	if err != nil {
		return err
	}
	lang := u.Lang(r)
	rows := make([]deliveryRow, 0, len(list.Data))
	for _, d := range list.Data {
		rows = append(rows, u.deliveryRow(lang, r, d))
	}
	next := ""
	if list.NextCursor != nil {
		v := url.Values{"cursor": {*list.NextCursor}}
		if state != "" {
			v.Set("state", state)
		}
		next = "/admin/webhooks/" + strconv.FormatInt(id, 10) + "?" + v.Encode() + "#deliveries"
	}
	if f == nil {
		nf := ui.NewForm(map[string]string{"name": sub.Name, "url": sub.URL})
		nf.Multi["events"] = sub.Events
		f = &nf
	}
	filters := make([]ui.Option, len(States))
	copy(filters, States)
	for i := range filters {
		filters[i].Selected = filters[i].Value == state
	}
	return u.render(w, r, status, "webhook", ui.PageData{Title: sub.Name, Flash: flash, Error: problem, Data: map[string]any{
		"Sub": u.row(lang, sub), "Form": *f, "Events": f.Checks("events", "Events", "", eventOptions()),
		"Rows": rows, "Filters": filters, "State": state, "Next": next, "Paged": pr.Cursor != nil,
	}})
}

// Update answers POST /admin/webhooks/{id} (form: name, url, events).
func (u *UI) Update(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	name, link, events := f.V("name"), f.V("url"), f.Multi["events"]
	if events == nil {
		events = []string{}
	}
	if _, err := u.Webhooks.Update(r.Context(), httpx.Actor(r.Context()), id, webhook.Patch{Name: &name, URL: &link, Events: &events}); err != nil {
		if _, msg, ok := ui.Refused(err, f); ok {
			return u.page(w, r, http.StatusUnprocessableEntity, id, "", firstNonEmpty(msg, "Check the webhook."), &f)
		}
		return err
	}
	return redirect(w, r, id, "saved")
}

func redirect(w http.ResponseWriter, r *http.Request, id int64, done string) error {
	http.Redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(id, 10)+"?"+done+"=1", http.StatusSeeOther)
	return nil
}

// Switch answers POST /admin/webhooks/{id}/switch (form: active = on or
// off); switching on again clears the failures that switched it off.
func (u *UI) Switch(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	var active bool
	switch f.V("active") {
	case "on":
		active = true
	case "off":
	default:
		return apperr.InvalidField("active", "must be on or off")
	}
	if _, err := u.Webhooks.Update(r.Context(), httpx.Actor(r.Context()), id, webhook.Patch{Active: &active}); err != nil {
		return err
	}
	return redirect(w, r, id, f.V("active"))
}

// Rotate answers POST /admin/webhooks/{id}/secret: a new signing secret,
// shown once.
func (u *UI) Rotate(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	sub, err := u.Webhooks.RotateSecret(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	return u.secret(w, r, http.StatusOK, sub, "The webhook has a new signing secret. The old one no longer signs.")
}

// Ping answers POST /admin/webhooks/{id}/ping: a test event.
func (u *UI) Ping(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	if _, err := u.Webhooks.Ping(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		if _, ok := ui.Refusal(err); ok {
			return u.page(w, r, http.StatusUnprocessableEntity, id, "", apperr.As(err).Message, nil)
		}
		return err
	}
	return redirect(w, r, id, "pinged")
}

// Delete answers POST /admin/webhooks/{id}/delete: without confirm=yes it
// asks first.
func (u *UI) Delete(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	if f.V("confirm") != "yes" {
		sub, err := u.Webhooks.Get(ctx, actor, id)
		if err != nil {
			return err
		}
		return u.render(w, r, http.StatusOK, "confirmdelete", ui.PageData{Title: "Delete webhook", Data: map[string]any{"Sub": sub}})
	}
	if err := u.Webhooks.Delete(ctx, actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/webhooks?deleted=1", http.StatusSeeOther)
	return nil
}

// attemptRow is one attempt with its time in the agent's zone.
type attemptRow struct {
	webhook.Attempt
	When string
}

// Delivery answers GET /admin/webhooks/{id}/deliveries/{delivery_id}: the
// payload and every attempt.
func (u *UI) Delivery(w http.ResponseWriter, r *http.Request) error {
	return u.delivery(w, r, http.StatusOK, ui.FlashOf(r, map[string]string{"replayed": "Replay queued: this is the new delivery."}), "")
}

func (u *UI) delivery(w http.ResponseWriter, r *http.Request, status int, flash, problem string) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	did, err := httpx.PathID(r, "delivery_id", "delivery")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	sub, err := u.Webhooks.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	d, err := u.Webhooks.Delivery(ctx, actor, id, did)
	if err != nil {
		return err
	}
	lang, loc := u.Lang(r), ui.Location(r)
	var pretty bytes.Buffer
	if json.Indent(&pretty, []byte(d.Payload), "", "  ") != nil {
		pretty.Reset()
		pretty.WriteString(d.Payload)
	}
	attempts := make([]attemptRow, 0, len(d.AttemptLog))
	for _, a := range d.AttemptLog {
		attempts = append(attempts, attemptRow{Attempt: a, When: ui.When(lang, a.At, loc)})
	}
	return u.render(w, r, status, "delivery", ui.PageData{Title: "Delivery", Flash: flash, Error: problem, Data: map[string]any{
		"Sub": sub, "D": u.deliveryRow(lang, r, d), "Payload": pretty.String(), "Attempts": attempts,
	}})
}

// Replay answers POST /admin/webhooks/{id}/deliveries/{delivery_id}/replay:
// the payload again as a new delivery, whose page it opens.
func (u *UI) Replay(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "webhook")
	if err != nil {
		return err
	}
	did, err := httpx.PathID(r, "delivery_id", "delivery")
	if err != nil {
		return err
	}
	d, err := u.Webhooks.Replay(r.Context(), httpx.Actor(r.Context()), id, did)
	if err != nil {
		if _, ok := ui.Refusal(err); ok {
			return u.delivery(w, r, http.StatusUnprocessableEntity, "", apperr.As(err).Message)
		}
		return err
	}
	http.Redirect(w, r, "/admin/webhooks/"+strconv.FormatInt(id, 10)+"/deliveries/"+strconv.FormatInt(d.ID, 10)+"?replayed=1", http.StatusSeeOther)
	return nil
}
