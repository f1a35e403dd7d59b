package zendesk

import (
	"context"
	"math"
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// The incremental export lists every ticket changed since a time, in the
// order of its last change, so a client that keeps the last position gets
// each later change once more. Both of Zendesk's forms are served:
//
//   - time-based: ?start_time= (Unix seconds); next_page starts at the last
//     ticket's second (a ticket of that second may come twice, as Zendesk
//     warns), end_of_stream when a page is not full;
//   - cursor-based: ?start_time= for the first page, then ?cursor= from
//     after_cursor; a cursor is exact, so nothing repeats.
//
// Pages hold up to 1000 tickets (per_page; page[size] too).

const (
	exportSort    = "updated_asc"
	exportMaxPage = 1000
)

// exportCursor is the position before the first ticket changed at or after
// start (Unix seconds): Ombud's keyset cursor of the updated_asc order.
func exportCursor(start int64) *page.Cursor {
	return &page.Cursor{Key: start*1000 - 1, ID: math.MaxInt64, Sort: "view:" + exportSort}
}

func startTime(r *http.Request) (int64, error) {
	v := r.URL.Query().Get("start_time")
	n, err := strconv.ParseInt(v, 10, 64)
	if v == "" || err != nil || n < 0 || n > 1<<40 {
		return 0, apperr.InvalidField("start_time", "is required: a Unix time in seconds")
	}
	return n, nil
}

func exportSize(r *http.Request) (int, error) {
	q := r.URL.Query()
	v := q.Get("per_page")
	if v == "" {
		v = q.Get("page[size]")
	}
	if v == "" {
		return exportMaxPage, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > exportMaxPage {
		return 0, badRequest("InvalidPaginationParameter", "per_page must be a whole number from 1 to 1000")
	}
	return n, nil
}

// exportPage reads up to size tickets after c, 100 at a time; next is the
// position after the last one read (c itself when none was).
func (a *API) exportPage(ctx context.Context, actor authz.Actor, c *page.Cursor, size int) (ts []ticket.Ticket, next *page.Cursor, end bool, err error) {
	next = c
	for len(ts) < size {
		list, err := a.Tickets.List(ctx, actor, ticket.Filter{Sort: exportSort}, page.Request{Limit: min(page.MaxLimit, size-len(ts)), Cursor: next})
		if err != nil {
			return nil, nil, false, err
		}
		ts = append(ts, list.Data...)
		if n := len(list.Data); n > 0 {
			last := list.Data[n-1]
			next = &page.Cursor{Key: db.Millis(last.UpdatedAt), ID: last.ID, Sort: "view:" + exportSort}
		}
		if list.NextCursor == nil {
			return ts, next, true, nil
		}
	}
	return ts, next, false, nil
}

// IncrementalTickets answers GET /api/v2/incremental/tickets.json?start_time=.
func (a *API) IncrementalTickets(w http.ResponseWriter, r *http.Request) error {
	start, err := startTime(r)
	if err != nil {
		return err
	}
	size, err := exportSize(r)
	if err != nil {
		return err
	}
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	ts, _, _, err := a.exportPage(ctx, actor, exportCursor(start), size)
	if err != nil {
		return err
	}
	out, err := a.render(ctx, actor, base, ts)
	if err != nil {
		return err
	}
	end := start
	if len(ts) > 0 {
		end = ts[len(ts)-1].UpdatedAt.Unix()
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"tickets":       out,
		"count":         len(out),
		"end_time":      end,
		"end_of_stream": len(out) < size,
		"next_page":     pageURL(r, base, map[string]string{"start_time": strconv.FormatInt(end, 10)}),
	})
}

// IncrementalTicketsCursor answers GET
// /api/v2/incremental/tickets/cursor.json?start_time= or ?cursor=.
func (a *API) IncrementalTicketsCursor(w http.ResponseWriter, r *http.Request) error {
	var c *page.Cursor
	if raw := r.URL.Query().Get("cursor"); raw != "" {
		d, err := page.Decode(raw)
		if err != nil || d.Sort != "view:"+exportSort {
			return apperr.InvalidField("cursor", "is not an after_cursor of this export")
		}
		c = d
	} else {
		start, err := startTime(r)
		if err != nil {
			return err
		}
		c = exportCursor(start)
	}
	size, err := exportSize(r)
	if err != nil {
		return err
	}
	ctx, actor, base := r.Context(), httpx.Actor(r.Context()), a.base(r)
	ts, next, end, err := a.exportPage(ctx, actor, c, size)
	if err != nil {
		return err
	}
	out, err := a.render(ctx, actor, base, ts)
	if err != nil {
		return err
	}
	after := next.Encode()
	q := r.URL.Query()
	q.Del("start_time")
	q.Set("cursor", after)
	return writeJSON(w, http.StatusOK, map[string]any{
		"tickets":       out,
		"after_cursor":  after,
		"after_url":     base + r.URL.Path + "?" + q.Encode(),
		"before_cursor": nil,
		"before_url":    nil,
		"end_of_stream": end,
	})
}
