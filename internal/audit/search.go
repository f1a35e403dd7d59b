package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/page"
)

const columns = `id, at, COALESCE(actor_id, 0), actor_name, action, target, ip, user_agent, data`

// Bounds of a search: filters are short strings; one export reads at most
// MaxExport rows (newest first), in pages of exportPage.
const (
	maxFilter  = 200
	MaxExport  = 100000
	exportPage = 500
)

// Filter narrows a search. Zero values match everything.
type Filter struct {
	ActorID int64     // the acting agent
	Action  string    // prefix: "auth." finds every sign-in row
	Target  string    // exact
	Text    string    // anywhere in the data, the target or the actor's name (case-insensitive)
	IP      string    // exact client address
	From    time.Time // at or after
	To      time.Time // before
}

// Validate checks the filter's bounds, naming the field at fault.
func (f Filter) Validate() error {
	errs := apperr.FieldErrors{}
	for name, v := range map[string]string{"action": f.Action, "target": f.Target, "q": f.Text, "ip": f.IP} {
		if len(v) > maxFilter {
			errs.Add(name, "is too long")
		}
	}
	if f.IP != "" {
		if _, err := netip.ParseAddr(f.IP); err != nil {
			errs.Add("ip", "is not an IP address")
		}
	}
	if f.ActorID < 0 {
		errs.Add("actor", "is not an agent id")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		errs.Add("to", "must be after from")
	}
	return errs.Err()
}

// Service reads the audit log and keeps its retention.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService returns the audit service.
func NewService(d *db.DB, now func() time.Time) *Service { return &Service{db: d, now: now} }

// where builds the filter's SQL condition and arguments, and the keyset
// condition after cursor c (rows older than it).
func (f Filter) where(c *page.Cursor) (string, []any) {
	var conds []string
	var args []any
	if f.ActorID != 0 {
		conds, args = append(conds, "actor_id = ?"), append(args, f.ActorID)
	}
	if f.Action != "" {
		conds, args = append(conds, "action LIKE ? ESCAPE '\\'"), append(args, likeEscape(f.Action)+"%")
	}
	if f.Target != "" {
		conds, args = append(conds, "target = ?"), append(args, f.Target)
	}
	if f.IP != "" {
		conds, args = append(conds, "ip = ?"), append(args, f.IP)
	}
	if f.Text != "" {
		p := "%" + likeEscape(strings.ToLower(f.Text)) + "%"
		conds = append(conds, "(LOWER(data) LIKE ? ESCAPE '\\' OR LOWER(target) LIKE ? ESCAPE '\\' OR LOWER(actor_name) LIKE ? ESCAPE '\\')")
		args = append(args, p, p, p)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "at >= ?"), append(args, db.Millis(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "at < ?"), append(args, db.Millis(f.To))
	}
	if c != nil {
		conds, args = append(conds, "(at < ? OR (at = ? AND id < ?))"), append(args, c.Key, c.Key, c.ID)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Search returns one page of matching rows, newest first. Only admins read
// the audit log.
func (s *Service) Search(ctx context.Context, actor authz.Actor, f Filter, pr page.Request) (page.List[Entry], error) {
	if err := authz.Check(actor, authz.AuditRead); err != nil {
		return page.List[Entry]{}, err
	}
	if err := f.Validate(); err != nil {
		return page.List[Entry]{}, err
	}
	if pr.Limit <= 0 || pr.Limit > page.MaxLimit {
		pr.Limit = page.DefaultLimit
	}
	rows, err := s.query(ctx, f, pr.Cursor, pr.Limit+1)
	if err != nil {
		return page.List[Entry]{}, err
	}
	return page.Trim(rows, pr.Limit, func(e Entry) page.Cursor { return page.Cursor{Key: db.Millis(e.At), ID: e.ID} }), nil
}

// Get returns one row.
func (s *Service) Get(ctx context.Context, actor authz.Actor, id int64) (Entry, error) {
	if err := authz.Check(actor, authz.AuditRead); err != nil {
		return Entry{}, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM audit_log WHERE id = ?`, id)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: get %d: %w", id, err)
	}
	out, err := scanAll(rows)
	if err != nil {
		return Entry{}, err
	}
	if len(out) == 0 {
		return Entry{}, apperr.NotFound("audit entry", id)
	}
	return out[0], nil
}

func (s *Service) query(ctx context.Context, f Filter, c *page.Cursor, limit int) ([]Entry, error) {
	where, args := f.where(c)
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM audit_log`+where+` ORDER BY at DESC, id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("audit: search: %w", err)
	}
	return scanAll(rows)
}

// Export calls emit for every matching row, newest first, at most MaxExport
// rows, reading a page at a time so a large export holds no long read. The
// export itself is recorded (who, which filter, which format) before the
// first row is read.
func (s *Service) Export(ctx context.Context, actor authz.Actor, f Filter, format string, emit func(Entry) error) error {
	if err := authz.Check(actor, authz.AuditRead); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		return Record(ctx, tx, s.now(), actor, "audit.export", format, map[string]any{"filter": f.describe()})
	})
	if err != nil {
		return err
	}
	var c *page.Cursor
	for n := 0; n < MaxExport; {
		rows, err := s.query(ctx, f, c, min(exportPage, MaxExport-n))
		if err != nil {
			return err
		}
		for _, e := range rows {
			if err := emit(e); err != nil {
				return err
			}
		}
		n += len(rows)
		if len(rows) < exportPage {
			return nil
		}
		last := rows[len(rows)-1]
		c = &page.Cursor{Key: db.Millis(last.At), ID: last.ID}
	}
	return nil
}

// describe is the filter as the export's own audit row shows it.
func (f Filter) describe() map[string]any {
	m := map[string]any{}
	if f.ActorID != 0 {
		m["actor"] = f.ActorID
	}
	for k, v := range map[string]string{"action": f.Action, "target": f.Target, "q": f.Text, "ip": f.IP} {
		if v != "" {
			m[k] = v
		}
	}
	if !f.From.IsZero() {
		m["from"] = f.From.UTC().Format(time.RFC3339)
	}
	if !f.To.IsZero() {
		m["to"] = f.To.UTC().Format(time.RFC3339)
	}
	return m
}

func scanAll(rows *sql.Rows) ([]Entry, error) {
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var data string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Target, &e.IP, &e.UserAgent, &data); err != nil {
			return nil, fmt.Errorf("audit: scan: %w", err)
		}
		e.At = db.Time(at)
		_ = json.Unmarshal([]byte(data), &e.Data)
		if e.Data == nil {
			e.Data = map[string]any{}
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: rows: %w", err)
	}
	return out, nil
}
