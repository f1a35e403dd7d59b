package ticket

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/textcheck"
)

// A view is a saved ticket list: a query in the search language with the
// columns and the order to show its tickets in. A personal view belongs to
// one agent; a shared view (no owner) is offered to every agent and is kept
// by those with authz.ViewShare. Views run as the agent looking at them, so
// a shared "assignee:me" view shows each agent their own tickets.

// ViewColumns are the ticket columns a view may show, in the order the
// forms offer them. Custom fields add "field.<key>". "sla_due" is the next
// SLA target's due time relative to now, "next_breach" the same target's
// metric and time; a view cannot sort by them: the due time lives in
// sla_ticket_state rows, and ordering by their per-ticket minimum under a
// view's filter is a scan and sort of every match, not the index range
// the other orders page through (the "SLA at risk" view lists by due time).
var ViewColumns = []string{"id", "subject", "requester", "organization", "status", "priority", "type", "channel", "assignee", "team", "tags", "sla_due", "next_breach", "created", "updated"}

// DefaultViewColumns are a new view's columns when none are chosen: those of
// the built-in lists.
var DefaultViewColumns = []string{"id", "subject", "requester", "status", "priority", "assignee", "sla_due", "updated"}

// ViewSorts are the orders a view may list its tickets in; the first is the default.
var ViewSorts = []string{"updated_desc", "updated_asc", "created_desc", "created_asc", "priority", "id_desc", "id_asc"}

// Limits that keep views cheap: the sidebar lists and counts every view an
// agent sees, so their number is bounded, and a count stops at MaxViewCount.
const (
	MaxViewColumns = 20
	MaxViews       = 100 // personal views per agent, and shared views in all
	MaxViewCount   = 1000
	maxViewName    = 100
	// maxViewPosition bounds positions well inside a 32-bit INTEGER column.
	maxViewPosition = 1_000_000
)

// View is a saved ticket list.
type View struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Shared    bool      `json:"shared"`
	OwnerID   *int64    `json:"owner_id"` // the agent of a personal view; null when shared
	Query     string    `json:"query"`
	Columns   []string  `json:"columns"`
	Sort      string    `json:"sort"`
	Position  int       `json:"position"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ViewInput creates a view.
type ViewInput struct {
	Name     string   `json:"name"`
	Shared   bool     `json:"shared"` // needs view.share
	Query    string   `json:"query"`
	Columns  []string `json:"columns"`  // default DefaultViewColumns
	Sort     string   `json:"sort"`     // default updated_desc
	Position *int     `json:"position"` // default after the others of its kind
}

// ViewPatch changes a view; absent fields stay. Making a personal view
// shared, or a shared one personal (yours), needs view.share.
type ViewPatch struct {
	Name     *string   `json:"name"`
	Shared   *bool     `json:"shared"`
	Query    *string   `json:"query"`
	Columns  *[]string `json:"columns"`
	Sort     *string   `json:"sort"`
	Position *int      `json:"position"`
}

// mayManageView decides who changes v: its owner for a personal view,
// holders of view.share for a shared one. Another agent's personal view is
// reported missing, as it is to every read.
func mayManageView(actor authz.Actor, v View) error {
	if v.Shared {
		return authz.Check(actor, authz.ViewShare)
	}
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return err
	}
	if v.OwnerID == nil || *v.OwnerID != actor.ID {
		return apperr.NotFound("view", v.ID)
	}
	return nil
}

// MayManageView reports whether actor may change or delete v (for pages
// that offer the form only to those who may send it).
func MayManageView(actor authz.Actor, v View) bool { return mayManageView(actor, v) == nil }

// checkView validates a view's fields, normalising them in place. The query
// is parsed and compiled against the custom field definitions, exactly as
// running it would, so a saved view always runs.
func (s *Service) checkView(ctx context.Context, actor authz.Actor, v *View) error {
	fe := apperr.FieldErrors{}
	v.Name = strings.TrimSpace(v.Name)
	if !utf8.ValidString(v.Name) {
		fe.Add("name", "is not valid UTF-8")
	} else if v.Name == "" || utf8.RuneCountInString(v.Name) > maxViewName {
		fe.Add("name", fmt.Sprintf("is required (at most %d characters)", maxViewName))
	} else if msg := textcheck.Line(v.Name); msg != "" {
		fe.Add("name", msg)
	}
	v.Query = strings.TrimSpace(v.Query)
	if q, err := search.Parse(v.Query); err != nil {
		fe.Add("query", queryProblem(err))
	} else if _, err := s.queryWhere(ctx, actor, q); err != nil {
		if apperr.CodeOf(err) != apperr.CodeInvalid {
			return err
		}
		fe.Add("query", queryProblem(err))
	}
	if v.Sort == "" {
		v.Sort = ViewSorts[0]
	}
	if !slices.Contains(ViewSorts, v.Sort) {
		fe.Add("sort", "must be one of "+strings.Join(ViewSorts, ", "))
	}
	if v.Position < 0 || v.Position > maxViewPosition {
		fe.Add("position", fmt.Sprintf("must be from 0 to %d", maxViewPosition))
	}
	if err := s.checkColumns(ctx, fe, v.Columns); err != nil {
		return err
	}
	return fe.Err()
}

// queryProblem is the text of a search error, to be reported as "query".
func queryProblem(err error) string {
	e := apperr.As(err)
	if p := e.Fields["q"]; p != "" {
		return p
	}
	return e.Message
}

func (s *Service) checkColumns(ctx context.Context, fe apperr.FieldErrors, cols []string) error {
	if len(cols) == 0 {
		fe.Add("columns", "choose at least one column")
		return nil
	}
	if len(cols) > MaxViewColumns {
		fe.Add("columns", apperr.TooMany(MaxViewColumns))
		return nil
	}
	var defs map[string]Field
	seen := map[string]bool{}
	for i, c := range cols {
		name := fmt.Sprintf("columns[%d]", i)
		switch key, custom := search.IsCustom(c); {
		case seen[c]:
			fe.Add(name, "is repeated")
		case custom:
			if defs == nil {
				all, err := listFields(ctx, s.db)
				if err != nil {
					return err
				}
				defs = map[string]Field{}
				for _, f := range all {
					defs[f.Key] = f
				}
			}
			if _, ok := defs[key]; !ok {
				fe.Add(name, fmt.Sprintf("%q is not a custom field", key))
			}
		case !slices.Contains(ViewColumns, c):
			fe.Add(name, "must be one of "+strings.Join(ViewColumns, ", ")+" or field.<key>")
		}
		seen[c] = true
	}
	return nil
}

// CreateView saves a personal view, or a shared one for holders of view.share.
func (s *Service) CreateView(ctx context.Context, actor authz.Actor, in ViewInput) (View, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return View{}, err
	}
	v := View{Name: in.Name, Shared: in.Shared, Query: in.Query, Columns: in.Columns, Sort: in.Sort}
	if v.Shared {
		if err := authz.Check(actor, authz.ViewShare); err != nil {
			return View{}, err
		}
	} else {
		if !actor.IsAgent() {
			return View{}, apperr.InvalidField("shared", "only an agent can own a personal view")
		}
		id := actor.ID
		v.OwnerID = &id
	}
	if v.Columns == nil {
		v.Columns = slices.Clone(DefaultViewColumns)
	}
	if in.Position != nil {
		v.Position = *in.Position
	}
	if err := s.checkView(ctx, actor, &v); err != nil {
		return View{}, err
	}
	now := s.now()
	v.CreatedAt, v.UpdatedAt = db.Time(db.Millis(now)), db.Time(db.Millis(now))
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		n, last, err := scopeStats(ctx, tx, v.OwnerID)
		if err != nil {
			return err
		}
		if n >= MaxViews {
			return apperr.Conflict("name", fmt.Sprintf("there are %d views of this kind already; delete one first", MaxViews))
		}
		if in.Position == nil {
			v.Position = last + 1
		}
		v.ID, err = tx.InsertID(ctx, `INSERT INTO ticket_views (name, owner_id, query, columns, sort, position, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, v.Name, nullPtr(v.OwnerID), v.Query, mustJSON(v.Columns), v.Sort, v.Position, db.Millis(now), db.Millis(now))
		if err != nil {
			return fmt.Errorf("insert: %w", err)
		}
		return auditView(ctx, tx, now, actor, "view.create", nil, &v)
	})
	if err != nil {
		return View{}, wrapView(err, "ticket: create view")
	}
	return v, nil
}

// scopeStats counts the views of one owner (or the shared ones) and finds
// their highest position.
func scopeStats(ctx context.Context, tx *db.Tx, owner *int64) (n, last int, err error) {
	q := `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM ticket_views WHERE owner_id IS NULL`
	var args []any
	if owner != nil {
		q = `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM ticket_views WHERE owner_id = ?`
		args = append(args, *owner)
	}
	if err := tx.QueryRowContext(ctx, q, args...).Scan(&n, &last); err != nil {
		return 0, 0, fmt.Errorf("count views: %w", err)
	}
	return n, last, nil
}

func auditView(ctx context.Context, tx *db.Tx, now time.Time, actor authz.Actor, action string, before, after *View) error {
	v := after
	if v == nil {
		v = before
	}
	data := map[string]any{"name": v.Name, "shared": v.Shared, "before": nil, "after": nil}
	if before != nil {
		data["before"] = before
	}
	if after != nil {
		data["after"] = after
	}
	return audit.Record(ctx, tx, now, actor, action, strconv.FormatInt(v.ID, 10), data)
}

// wrapView adds context to internal errors and passes client errors as they are.
func wrapView(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

const viewCols = `v.id, v.name, v.owner_id, v.query, v.columns, v.sort, v.position, v.created_at, v.updated_at`

func scanView(sc scanner) (View, error) {
	var v View
	var owner sql.NullInt64
	var cols string
	var created, updated int64
	if err := sc.Scan(&v.ID, &v.Name, &owner, &v.Query, &cols, &v.Sort, &v.Position, &created, &updated); err != nil {
		return View{}, err
	}
	v.OwnerID = ptrInt(owner)
	v.Shared = v.OwnerID == nil
	v.Columns = []string{}
	_ = json.Unmarshal([]byte(cols), &v.Columns)
	v.CreatedAt, v.UpdatedAt = db.Time(created), db.Time(updated)
	return v, nil
}

// visibleViews limits views to the actor's own and the shared ones.
const visibleViews = `(v.owner_id = ? OR v.owner_id IS NULL)`

// GetView reads a view the actor sees.
func (s *Service) GetView(ctx context.Context, actor authz.Actor, id int64) (View, error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return View{}, err
	}
	v, err := scanView(s.db.QueryRowContext(ctx, `SELECT `+viewCols+` FROM ticket_views v WHERE v.id = ? AND `+visibleViews, id, actor.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return View{}, apperr.NotFound("view", id)
	}
	if err != nil {
		return View{}, fmt.Errorf("ticket: get view %d: %w", id, err)
	}
	return v, nil
}

// ListViews pages through the views the actor sees, by position.
func (s *Service) ListViews(ctx context.Context, actor authz.Actor, pr page.Request) (page.List[View], error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return page.List[View]{}, err
	}
	w := &where{}
	w.add(visibleViews, actor.ID)
	if c := pr.Cursor; c != nil {
		// The key is a position: one out of its range is forged, and would
		// not fit PostgreSQL's integer column.
		if c.Sort != "views" || c.Key < 0 || c.Key > maxViewPosition {
			return page.List[View]{}, apperr.InvalidField("cursor", "is not a cursor returned by this list")
		}
		w.add("(v.position > ? OR (v.position = ? AND v.id > ?))", c.Key, c.Key, c.ID)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+viewCols+` FROM ticket_views v`+w.sql()+` ORDER BY v.position, v.id LIMIT ?`, append(w.args, pr.Limit+1)...)
	if err != nil {
		return page.List[View]{}, fmt.Errorf("ticket: list views: %w", err)
	}
	defer rows.Close()
	var out []View
	for rows.Next() {
		v, err := scanView(rows)
		if err != nil {
			return page.List[View]{}, fmt.Errorf("ticket: scan view: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return page.List[View]{}, fmt.Errorf("ticket: list views: %w", err)
	}
	return page.Trim(out, pr.Limit, func(v View) page.Cursor {
		return page.Cursor{Key: int64(v.Position), ID: v.ID, Sort: "views"}
	}), nil
}

// VisibleViews returns every view the actor sees, by position (for the
// sidebar; MaxViews bounds their number).
func (s *Service) VisibleViews(ctx context.Context, actor authz.Actor) ([]View, error) {
	var out []View
	pr := page.Request{Limit: page.MaxLimit}
	for {
		l, err := s.ListViews(ctx, actor, pr)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Data...)
		if l.NextCursor == nil {
			return out, nil
		}
		if pr.Cursor, err = page.Decode(*l.NextCursor); err != nil {
			return nil, err
		}
	}
}

// UpdateView changes a view.
func (s *Service) UpdateView(ctx context.Context, actor authz.Actor, id int64, p ViewPatch) (View, error) {
	v, err := s.GetView(ctx, actor, id)
	if err != nil {
		return View{}, err
	}
	if err := mayManageView(actor, v); err != nil {
		return View{}, err
	}
	before := v
	if p.Name != nil {
		v.Name = *p.Name
	}
	if p.Query != nil {
		v.Query = *p.Query
	}
	if p.Columns != nil {
		v.Columns = *p.Columns
	}
	if p.Sort != nil {
		v.Sort = *p.Sort
	}
	if p.Position != nil {
		v.Position = *p.Position
	}
	moved := p.Shared != nil && *p.Shared != v.Shared
	if moved {
		// Either way a shared view is involved: sharing yours, or taking
		// a shared one away from everyone.
		if err := authz.Check(actor, authz.ViewShare); err != nil {
			return View{}, err
		}
		v.Shared = *p.Shared
		v.OwnerID = nil
		if !v.Shared {
			if !actor.IsAgent() {
				return View{}, apperr.InvalidField("shared", "only an agent can own a personal view")
			}
			me := actor.ID
			v.OwnerID = &me
		}
	}
	if err := s.checkView(ctx, actor, &v); err != nil {
		return View{}, err
	}
	now := s.now()
	v.UpdatedAt = db.Time(db.Millis(now))
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if moved {
			if n, _, err := scopeStats(ctx, tx, v.OwnerID); err != nil {
				return err
			} else if n >= MaxViews {
				return apperr.Conflict("shared", fmt.Sprintf("there are %d views of this kind already; delete one first", MaxViews))
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ticket_views SET name = ?, owner_id = ?, query = ?, columns = ?, sort = ?, position = ?, updated_at = ? WHERE id = ?`,
			v.Name, nullPtr(v.OwnerID), v.Query, mustJSON(v.Columns), v.Sort, v.Position, db.Millis(now), id); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		return auditView(ctx, tx, now, actor, "view.update", &before, &v)
	})
	if err != nil {
		return View{}, wrapView(err, "ticket: update view %d", id)
	}
	return v, nil
}

// DeleteView removes a view.
func (s *Service) DeleteView(ctx context.Context, actor authz.Actor, id int64) error {
	v, err := s.GetView(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := mayManageView(actor, v); err != nil {
		return err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM ticket_views WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		return auditView(ctx, tx, s.now(), actor, "view.delete", &v, nil)
	})
	return wrapView(err, "ticket: delete view %d", id)
}

// ViewTickets pages through a view's tickets in its order; dates in the
// query are days in loc.
func (s *Service) ViewTickets(ctx context.Context, actor authz.Actor, id int64, loc *time.Location, pr page.Request) (View, page.List[Ticket], error) {
	v, err := s.GetView(ctx, actor, id)
	if err != nil {
		return View{}, page.List[Ticket]{}, err
	}
	l, err := s.RunView(ctx, actor, v, loc, pr)
	return v, l, err
}

// RunView lists the tickets of a view already read with GetView.
func (s *Service) RunView(ctx context.Context, actor authz.Actor, v View, loc *time.Location, pr page.Request) (page.List[Ticket], error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return page.List[Ticket]{}, err
	}
	w, err := s.viewWhere(ctx, actor, v, loc)
	if err != nil {
		return page.List[Ticket]{}, err
	}
	return s.listSorted(ctx, w, v.Sort, pr)
}

// CountView counts a view's tickets up to MaxViewCount; more reports that
// there are more than that. Counting stops early so an unselective view
// costs no more than a bounded scan.
func (s *Service) CountView(ctx context.Context, actor authz.Actor, v View, loc *time.Location) (n int, more bool, err error) {
	if err := authz.Check(actor, authz.TicketRead); err != nil {
		return 0, false, err
	}
	w, err := s.viewWhere(ctx, actor, v, loc)
	if err != nil {
		return 0, false, err
	}
	q := `SELECT COUNT(*) FROM (SELECT 1 FROM tickets t` + w.sql() + ` LIMIT ?) c`
	if err := s.db.QueryRowContext(ctx, q, append(w.args, MaxViewCount+1)...).Scan(&n); err != nil {
		return 0, false, fmt.Errorf("ticket: count view %d: %w", v.ID, err)
	}
	if n > MaxViewCount {
		return MaxViewCount, true, nil
	}
	return n, false, nil
}

// FieldStamp changes whenever a custom field definition does. A view whose
// query names custom fields can start or stop compiling with such a change
// (a dropdown option dropped) without any ticket changing, so cached counts
// of such views are keyed by it too. The table is small: one cheap query.
func (s *Service) FieldStamp(ctx context.Context) (string, error) {
	var n, last int64
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM custom_fields`).Scan(&n, &last); err != nil {
		return "", fmt.Errorf("ticket: field stamp: %w", err)
	}
	return strconv.FormatInt(n, 10) + "." + strconv.FormatInt(last, 10), nil
}

// viewWhere compiles a view's query. A query that no longer compiles (it
// was valid when saved) is reported as the view's "query", never a 500.
func (s *Service) viewWhere(ctx context.Context, actor authz.Actor, v View, loc *time.Location) (*where, error) {
	if loc == nil {
		loc = time.UTC
	}
	q, err := search.ParseIn(v.Query, loc)
	if err != nil {
		return nil, apperr.InvalidField("query", queryProblem(err))
	}
	w, err := s.queryWhere(ctx, actor, q)
	if err != nil && apperr.CodeOf(err) == apperr.CodeInvalid {
		return nil, apperr.InvalidField("query", queryProblem(err))
	}
	return w, err
}

// queryWhere turns a whole query into conditions. Unlike Search, words and
// phrases only filter (a view has its own order, not relevance).
func (s *Service) queryWhere(ctx context.Context, actor authz.Actor, q search.Query) (*where, error) {
	w, err := s.filterWhere(ctx, actor, q)
	if err != nil {
		return nil, err
	}
	if q.HasText() {
		// The text finds what it finds in a search (textsearch.go).
		cond, args, err := s.textCond(ctx, q)
		if err != nil {
			return nil, err
		}
		w.add(cond, args...)
	}
	return w, nil
}

// priorityRank orders priorities most urgent first when sorted descending.
const priorityRank = `(CASE t.priority WHEN 'urgent' THEN 3 WHEN 'high' THEN 2 WHEN 'normal' THEN 1 ELSE 0 END)`

var priorityRanks = map[string]int64{"urgent": 3, "high": 2, "normal": 1}

// listSorted pages through tickets in one of ViewSorts, keyset-paginated on
// the sort key with the id as tie-breaker.
func (s *Service) listSorted(ctx context.Context, w *where, sort string, pr page.Request) (page.List[Ticket], error) {
	var col, dir string
	var key func(Ticket) int64
	switch sort {
	case "", "updated_desc":
		sort, col, dir, key = "updated_desc", "t.updated_at", "DESC", func(t Ticket) int64 { return db.Millis(t.UpdatedAt) }
	case "updated_asc":
		col, dir, key = "t.updated_at", "ASC", func(t Ticket) int64 { return db.Millis(t.UpdatedAt) }
	case "created_desc":
		col, dir, key = "t.created_at", "DESC", func(t Ticket) int64 { return db.Millis(t.CreatedAt) }
	case "created_asc":
		col, dir, key = "t.created_at", "ASC", func(t Ticket) int64 { return db.Millis(t.CreatedAt) }
	case "priority":
		col, dir, key = priorityRank, "DESC", func(t Ticket) int64 { return priorityRanks[t.Priority] }
	case "id_desc":
		col, dir, key = "t.id", "DESC", func(t Ticket) int64 { return t.ID }
	case "id_asc":
		col, dir, key = "t.id", "ASC", func(t Ticket) int64 { return t.ID }
	default:
		return page.List[Ticket]{}, apperr.InvalidField("sort", "must be one of "+strings.Join(ViewSorts, ", "))
	}
	if c := pr.Cursor; c != nil {
		if c.Sort != "view:"+sort {
			return page.List[Ticket]{}, apperr.InvalidField("cursor", "belongs to another sort order")
		}
		if sort == "priority" && (c.Key < 0 || c.Key > 3) {
			// A rank outside 0–3 is forged (and no 32-bit CASE value).
			return page.List[Ticket]{}, apperr.InvalidField("cursor", "is not a cursor returned by this list")
		}
		op := "<"
		if dir == "ASC" {
			op = ">"
		}
		// Row values, as in listWhere: an index range on both engines.
		w.add("("+col+", t.id) "+op+" (?, ?)", c.Key, c.ID)
	}
	ts, err := s.readPage(ctx, w, col, dir, key, pr.Limit+1)
	if err != nil {
		return page.List[Ticket]{}, err
	}
	return page.Trim(ts, pr.Limit, func(t Ticket) page.Cursor {
		return page.Cursor{Key: key(t), ID: t.ID, Sort: "view:" + sort}
	}), nil
}
