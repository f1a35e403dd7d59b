// Package orders serves the orders and returns pages (docs/orders.md):
// the ticket page's panel of the requester's orders and the ticket's
// return, exchange and refund cases, the forms that open and move cases,
// the returns list, the returns report, the connector settings under
// Administration, and the JSON API of cases.
package orders

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html
var templateFS embed.FS

// UI serves the orders pages.
type UI struct {
	*ui.UI
	Orders *orders.Service
	pages  map[string]*template.Template
	panel  *template.Template // the ticket page's panel (panel.go)
	list   *template.Template // the customer's orders, loaded after the page
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *orders.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "settings", "returns", "report", "caseform", "orderspage")
	if err != nil {
		return nil, err
	}
	panel, err := shared.ParsePage(templateFS, "panel")
	if err != nil {
		return nil, err
	}
	list, err := shared.ParsePage(templateFS, "orderlist")
	if err != nil {
		return nil, err
	}
	return &UI{UI: shared, Orders: svc, pages: pages, panel: panel, list: list}, nil
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, name, nav string, p ui.PageData) error {
	p.Nav = nav
	return u.Render(w, r, status, u.pages[name], p)
}

func csrf(r *http.Request) string {
	if s := httpx.SessionFrom(r.Context()); s != nil {
		return s.CSRF
	}
	return ""
}

// choice is a select option with an English label the template translates.
type choice struct{ Value, Label string }

func choices(codes []string) []choice {
	out := make([]choice, 0, len(codes))
	for _, c := range codes {
		out = append(out, choice{c, orders.Label(c)})
	}
	return out
}

// caseView is a case with its labels and the actions its next statuses are.
type caseView struct {
	orders.Case
	KindLabel, StatusLabel, ReasonLabel string
	Actions                             []choice
}

// actionLabels name the buttons that move a case to a status.
var actionLabels = map[string]string{
	orders.Approved: "Approve", orders.LabelSent: "Mark label sent", orders.Received: "Mark received",
	orders.Refunded: "Mark refunded", orders.Exchanged: "Mark exchanged", orders.Rejected: "Reject", orders.Cancelled: "Cancel case",
}

func view(c orders.Case) caseView {
	v := caseView{Case: c, KindLabel: orders.Label(c.Kind), StatusLabel: orders.Label(c.Status), ReasonLabel: orders.Label(c.Reason)}
	for _, n := range c.Next {
		v.Actions = append(v.Actions, choice{n, actionLabels[n]})
	}
	return v
}

func views(cs []orders.Case) []caseView {
	out := make([]caseView, 0, len(cs))
	for _, c := range cs {
		out = append(out, view(c))
	}
	return out
}

// caseInput reads the case form: kind, order_number, reason, amount,
// currency, note and rows product_N, qty_N (rows with no quantity left
// out, so a form listing an order's lines takes the ones picked).
func caseInput(f ui.Form) orders.CaseInput {
	in := orders.CaseInput{Kind: f.V("kind"), OrderNumber: f.V("order_number"), Reason: f.V("reason"), Amount: f.V("amount"), Currency: f.V("currency"), Note: f.V("note")}
	for i := 0; i < orders.MaxItems; i++ {
		p, qs := strings.TrimSpace(f.V("product_"+strconv.Itoa(i))), strings.TrimSpace(f.V("qty_"+strconv.Itoa(i)))
		if p == "" && qs == "" {
			continue
		}
		n, err := strconv.Atoi(qs)
		if err != nil {
			n = -1 // refused by the service, on this row
		}
		if n == 0 {
			continue
		}
		in.Items = append(in.Items, orders.CaseItem{Product: p, Quantity: n})
	}
	return in
}

// CreateCase answers POST /tickets/{id}/returns (the case form); back to
// the ticket's returns panel, or the form again with what is wrong.
func (u *UI) CreateCase(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "ticket")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	if _, err := u.Tickets.Get(ctx, actor, id); err != nil { // who may see the ticket
		return err
	}
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	if _, err := u.Orders.Create(ctx, actor, id, caseInput(f)); err != nil {
		status, msg, ok := ui.Refused(err, f)
		if !ok {
			return err
		}
		reasons, rerr := u.Orders.Reasons(ctx)
		if rerr != nil {
			return rerr
		}
		if msg == "" {
			msg = "Check the case."
		}
		return u.render(w, r, status, "caseform", "tickets", ui.PageData{Title: "Start a return, exchange or refund", Error: msg,
			Data: map[string]any{"TicketID": id, "Form": f, "Rows": formRows(f), "Reasons": choices(reasons), "Kinds": choices(orders.Kinds)}})
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d#returns", id), http.StatusSeeOther)
	return nil
}

// MoveCase answers POST /returns/{id}/status (form: status, note).
func (u *UI) MoveCase(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "return case")
	if err != nil {
		return err
	}
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	c, err := u.Orders.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	if _, err := u.Tickets.Get(ctx, actor, c.TicketID); err != nil {
		return err
	}
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	if _, err := u.Orders.Transition(ctx, actor, id, orders.TransitionInput{Status: f.V("status"), Note: f.V("note")}); err != nil {
		return err
	}
	to := fmt.Sprintf("/tickets/%d#return-%d", c.TicketID, id)
	if f.V("next") != "" {
		to = ui.SafeNext(f.V("next")) // the returns list sends its own address
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

type formRow struct{ Product, Qty string }

// formRows are the item rows a refused form sent, and one empty row.
func formRows(f ui.Form) []formRow {
	var out []formRow
	for i := 0; i < orders.MaxItems; i++ {
		p, q := f.V("product_"+strconv.Itoa(i)), f.V("qty_"+strconv.Itoa(i))
		if p != "" || q != "" {
			out = append(out, formRow{p, q})
		}
	}
	if len(out) < orders.MaxItems {
		out = append(out, formRow{"", "1"})
	}
	return out
}
