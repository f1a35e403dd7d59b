package orders

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/orders"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

// Returns answers GET /returns (?status, reason, kind): the cases,
// newest first, for the agents (linked from the ticket views).
func (u *UI) Returns(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	q := r.URL.Query()
	f := orders.Filter{Status: q.Get("status"), Reason: q.Get("reason"), Kind: q.Get("kind")}
	status := http.StatusOK
	problem := ""
	cases, err := u.Orders.List(ctx, actor, f)
	if apperr.Is(err, apperr.CodeInvalid) {
		status, problem, f = http.StatusBadRequest, "The filter has an error", orders.Filter{}
		cases, err = u.Orders.List(ctx, actor, f)
	}
	if err != nil {
		return err
	}
	reasons, err := u.Orders.Reasons(ctx)
	if err != nil {
		return err
	}
	return u.render(w, r, status, "returns", "tickets", ui.PageData{Title: "Returns and refunds", Error: problem, Data: map[string]any{
		"Cases": views(cases), "Filter": f, "Statuses": choices(orders.Statuses), "Reasons": choices(reasons), "Kinds": choices(orders.Kinds),
		"Here": r.URL.RequestURI()}})
}

// period reads from and to (dates, inclusive) in the agent's zone; the
// default is the last 30 days.
func period(q url.Values, loc *time.Location, now time.Time) (from, to time.Time, err error) {
	day := func(k string, def time.Time) (time.Time, error) {
		s := q.Get(k)
		if s == "" {
			return def, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, s, loc)
		if err != nil {
			return t, apperr.InvalidField(k, "must be a date such as 2026-03-01")
		}
		return t, nil
	}
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	if from, err = day("from", today.AddDate(0, 0, -29)); err != nil {
		return
	}
	if to, err = day("to", today); err != nil {
		return
	}
	return from, to.AddDate(0, 0, 1), nil
}

// Report answers GET /reports/returns (?from, to, format=csv): returns
// by reason and by product, refund totals per currency.
func (u *UI) Report(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	format := r.URL.Query().Get("format")
	if format != "" && format != "csv" {
		return apperr.InvalidField("format", "must be csv")
	}
	from, to, err := period(r.URL.Query(), ui.Location(r), time.Now())
	var rep orders.Report
	if err == nil {
		rep, err = u.Orders.ReportFor(ctx, actor, from, to)
	}
	if err != nil {
		if format == "csv" || !apperr.Is(err, apperr.CodeInvalid) {
			return err
		}
		return u.render(w, r, http.StatusBadRequest, "report", "reports", ui.PageData{Title: "Returns", Error: "The filter has an error",
			Data: map[string]any{"From": r.URL.Query().Get("from"), "To": r.URL.Query().Get("to")}})
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="returns.csv"`)
		return writeCSV(w, rep)
	}
	last := to.AddDate(0, 0, -1)
	csvURL := "/reports/returns?" + url.Values{"from": {from.Format(time.DateOnly)}, "to": {last.Format(time.DateOnly)}, "format": {"csv"}}.Encode()
	reasons := make([]choice, 0, len(rep.ByReason))
	for _, x := range rep.ByReason {
		reasons = append(reasons, choice{x.Reason, orders.Label(x.Reason)})
	}
	return u.render(w, r, http.StatusOK, "report", "reports", ui.PageData{Title: "Returns", Data: map[string]any{
		"R": rep, "ReasonLabels": reasons, "From": from.Format(time.DateOnly), "To": last.Format(time.DateOnly), "CSV": csvURL}})
}

// writeCSV writes the report as rows: section, key, cases, quantity,
// amount, currency.
func writeCSV(w http.ResponseWriter, rep orders.Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"section", "key", "cases", "quantity", "amount", "currency"})
	for _, x := range rep.ByReason {
		_ = cw.Write([]string{"reason", csvSafe(x.Reason), fmt.Sprint(x.Cases), "", "", ""})
	}
	for _, x := range rep.ByProduct {
		_ = cw.Write([]string{"product", csvSafe(x.Product), fmt.Sprint(x.Cases), fmt.Sprint(x.Quantity), "", ""})
	}
	for _, x := range rep.Refunds {
		_ = cw.Write([]string{"refunds", x.Currency, fmt.Sprint(x.Cases), "", x.Amount, x.Currency})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a product name as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Settings answers GET /admin/orders: the order-lookup connector and the
// return reasons.
func (u *UI) Settings(w http.ResponseWriter, r *http.Request) error {
	st, err := u.Orders.Settings(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return err
	}
	f := ui.NewForm(map[string]string{"kind": st.Kind, "base_url": st.BaseURL, "api_version": st.APIVersion, "url_template": st.URLTemplate,
		"reasons": strings.Join(st.Reasons, "\n")})
	pathsForm(f, st.Paths)
	return u.settings(w, r, http.StatusOK, st, ui.FlashOf(r, map[string]string{"saved": "Saved."}), "", f)
}

var pathFields = []struct{ Key, Label string }{
	{"orders", "List of orders"}, {"number", "Order number"}, {"email", "Email"}, {"created_at", "Ordered at"}, {"status", "Status"},
	{"fulfillment", "Fulfilment"}, {"total", "Total"}, {"currency", "Currency"}, {"items", "List of items"},
	{"product", "Item: product"}, {"sku", "Item: SKU"}, {"quantity", "Item: quantity"}, {"price", "Item: price"},
}

func pathsForm(f ui.Form, p orders.Paths) {
	for k, v := range map[string]string{"orders": p.Orders, "number": p.Number, "email": p.Email, "created_at": p.CreatedAt, "status": p.Status,
		"fulfillment": p.Fulfillment, "total": p.Total, "currency": p.Currency, "items": p.Items, "product": p.Product, "sku": p.SKU, "quantity": p.Quantity, "price": p.Price} {
		f.Values["path_"+k] = v
	}
}

func pathsOf(f ui.Form) orders.Paths {
	v := func(k string) string { return strings.TrimSpace(f.V("path_" + k)) }
	return orders.Paths{Orders: v("orders"), Number: v("number"), Email: v("email"), CreatedAt: v("created_at"), Status: v("status"), Fulfillment: v("fulfillment"),
		Total: v("total"), Currency: v("currency"), Items: v("items"), Product: v("product"), SKU: v("sku"), Quantity: v("quantity"), Price: v("price")}
}

func (u *UI) settings(w http.ResponseWriter, r *http.Request, status int, st orders.Settings, flash, problem string, f ui.Form) error {
	return u.render(w, r, status, "settings", "admin", ui.PageData{Title: "Orders and returns", Flash: flash, Error: problem, Data: map[string]any{
		"S": st, "Form": f, "Paths": pathFields, "Defaults": choices(orders.DefaultReasons)}})
}

// SaveSettings answers POST /admin/orders (form: kind, base_url,
// api_version, token, clear_token, url_template, path_*, reasons).
func (u *UI) SaveSettings(w http.ResponseWriter, r *http.Request) error {
	ctx, actor := r.Context(), httpx.Actor(r.Context())
	f, err := ui.ReadForm(r)
	if err != nil {
		return err
	}
	in := orders.SettingsInput{Kind: f.V("kind"), BaseURL: f.V("base_url"), APIVersion: f.V("api_version"), URLTemplate: f.V("url_template"),
		Paths: pathsOf(f), Reasons: strings.Fields(strings.ReplaceAll(f.V("reasons"), ",", " ")), Token: f.V("token"), ClearToken: f.V("clear_token") != ""}
	if _, err := u.Orders.SaveSettings(ctx, actor, in); err != nil {
		status, msg, ok := ui.Refused(err, f)
		if !ok {
			return err
		}
		st, serr := u.Orders.Settings(ctx, actor)
		if serr != nil {
			return serr
		}
		if msg == "" {
			msg = "Check the settings."
		}
		return u.settings(w, r, status, st, "", msg, f)
	}
	http.Redirect(w, r, "/admin/orders?saved=1", http.StatusSeeOther)
	return nil
}
