package admin

import (
	"net/http"
	"net/url"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blocklist"
	"github.com/ombud/ombud/internal/web/httpx"
)

// This file is the Blocked senders page (Administration → Channels): the
// addresses marked as spam from tickets and the domains blocked here,
// whose mail goes to the mail log instead of opening tickets.

// blockedRow is one entry as the page shows it.
type blockedRow struct {
	blocklist.Entry
	When string
}

// BlockedSenders answers GET /admin/blocked-senders.
func (u *UI) BlockedSenders(w http.ResponseWriter, r *http.Request) error {
	flash := ""
	switch {
	case r.URL.Query().Has("added"):
		flash = u.tr(r, "%s is blocked.", r.URL.Query().Get("added"))
	case r.URL.Query().Has("removed"):
		flash = u.tr(r, "%s is no longer blocked. Its mail in the mail log can be processed again.", r.URL.Query().Get("removed"))
	}
	return u.blockedPage(w, r, http.StatusOK, blocklist.Input{}, nil, flash)
}

func (u *UI) blockedPage(w http.ResponseWriter, r *http.Request, status int, in blocklist.Input, errs map[string]string, flash string) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	list, err := u.Blocklist.List(ctx, actor)
	if err != nil {
		return err
	}
	lang, loc := u.lang(r), location(r)
	rows := make([]blockedRow, 0, len(list))
	for _, e := range list {
		rows = append(rows, blockedRow{Entry: e, When: when(lang, e.CreatedAt, loc)})
	}
	data := map[string]any{"Rows": rows, "Input": in, "Errs": errs, "CanWrite": authz.Can(actor, authz.BlocklistManage)}
	return u.render(w, r, status, "blocked", pageData{Title: "Blocked senders", Nav: "blocked", Flash: flash, Data: data})
}

// AddBlockedSender answers POST /admin/blocked-senders.
func (u *UI) AddBlockedSender(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	in := blocklist.Input{Value: r.PostFormValue("value"), Reason: r.PostFormValue("reason")}
	e, err := u.Blocklist.Add(ctx, httpx.Actor(ctx), in)
	if err != nil {
		ref, ok := refusal(err)
		if !ok {
			return err
		}
		errs := map[string]string{}
		for k, v := range ref.Fields {
			errs[k] = u.MsgIn(u.lang(r), v)
		}
		return u.blockedPage(w, r, httpx.Status(ref.Code), in, errs, "")
	}
	http.Redirect(w, r, "/admin/blocked-senders?"+url.Values{"added": {e.Value}}.Encode(), http.StatusSeeOther)
	return nil
}

// RemoveBlockedSender answers POST /admin/blocked-senders/{id}/delete.
func (u *UI) RemoveBlockedSender(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	actor := httpx.Actor(ctx)
	id, err := httpx.PathID(r, "id", "blocked sender")
	if err != nil {
		return err
	}
	e, err := u.Blocklist.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := u.Blocklist.Remove(ctx, actor, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/blocked-senders?"+url.Values{"removed": {e.Value}}.Encode(), http.StatusSeeOther)
	return nil
}
