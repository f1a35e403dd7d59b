package privacy

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Archive is a customer's data export, ready to be written.
type Archive struct {
	s          *Service
	customerID int64
	// Name is the archive's file name.
	Name string
}

// Export checks the actor may export customer id, records the export in
// the audit log and returns the archive to stream: a zip holding
// customer.json (profile, identities, organization, notes, comments they
// wrote elsewhere), tickets/<id>.json (ticket, public and internal comments,
// events) per ticket they requested, attachments/<id>-<name> and
// mail/<id>.eml (the original messages).
func (s *Service) Export(ctx context.Context, actor authz.Actor, id int64) (*Archive, error) {
	if err := authz.Check(actor, authz.PrivacyManage); err != nil {
		return nil, err
	}
	if _, err := loadPerson(ctx, s.db, id); err != nil {
		return nil, err
	}
	if err := s.db.Write(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.now(), actor, "customer_exported", fmt.Sprintf("customer:%d", id), nil)
	}); err != nil {
		return nil, err
	}
	return &Archive{s: s, customerID: id, Name: fmt.Sprintf("customer-%d.zip", id)}, nil
}

// WriteTo streams the archive to w.
func (a *Archive) WriteTo(ctx context.Context, w io.Writer) error {
	s := a.s
	z := zip.NewWriter(w)
	id := a.customerID
	cust, err := s.maps(ctx, `SELECT c.id, c.name, c.locale, c.time_zone, c.notes, c.organization_id, o.name AS organization, c.created_at, c.updated_at
		FROM customers c LEFT JOIN organizations o ON o.id = c.organization_id WHERE c.id = ?`, id)
	if err != nil {
		return err
	}
	if len(cust) == 0 {
		return fmt.Errorf("privacy: export: customer %d is gone", id)
	}
	doc := cust[0]
	if doc["identities"], err = s.maps(ctx, `SELECT type, value, is_primary, created_at FROM customer_identities WHERE customer_id = ? ORDER BY id`, id); err != nil {
		return err
	}
	if doc["comments_on_other_tickets"], err = s.maps(ctx, `SELECT c.id, c.ticket_id, c.public, c.body, c.html, c.channel, c.created_at FROM comments c
		JOIN tickets t ON t.id = c.ticket_id WHERE c.author_type = 'customer' AND c.author_id = ? AND t.requester_id <> ? ORDER BY c.id`, id, id); err != nil {
		return err
	}
	doc["exported_at"] = s.now().UTC().Format(time.RFC3339)
	if err := writeJSON(z, "customer.json", doc); err != nil {
		return err
	}
	for after := int64(0); ; {
		ids, err := s.ids(ctx, `SELECT id FROM tickets WHERE requester_id = ? AND id > ? ORDER BY id LIMIT 100`, id, after)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		for _, tid := range ids {
			if err := s.exportTicket(ctx, z, tid); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
	if err := s.exportFiles(ctx, z, id); err != nil {
		return err
	}
	return z.Close()
}

func (s *Service) exportTicket(ctx context.Context, z *zip.Writer, id int64) error {
	ts, err := s.maps(ctx, `SELECT id, subject, status, priority, type, channel, language, custom_fields, organization_id, created_at, updated_at, solved_at, closed_at
		FROM tickets WHERE id = ?`, id)
	if err != nil || len(ts) == 0 {
		return err
	}
	t := ts[0]
	tags, err := s.maps(ctx, `SELECT tag FROM ticket_tags WHERE ticket_id = ? ORDER BY tag`, id)
	if err != nil {
		return err
	}
	names := []string{}
	for _, m := range tags {
		names = append(names, fmt.Sprint(m["tag"]))
	}
	t["tags"] = names
	comments, err := s.maps(ctx, `SELECT id, author_type, author_id, public, body, html, channel, created_at FROM comments WHERE ticket_id = ? ORDER BY id`, id)
	if err != nil {
		return err
	}
	for _, c := range comments {
		if c["attachments"], err = s.maps(ctx, `SELECT id, filename, content_type, size, created_at FROM attachments WHERE comment_id = ? ORDER BY id`, c["id"]); err != nil {
			return err
		}
	}
	t["comments"] = comments
	if t["events"], err = s.maps(ctx, `SELECT seq, type, actor_type, actor_id, at, data FROM ticket_events WHERE ticket_id = ? ORDER BY seq`, id); err != nil {
		return err
	}
	return writeJSON(z, fmt.Sprintf("tickets/%d.json", id), t)
}

// exportFiles adds the attachments and original messages of the
// customer's tickets and of their comments elsewhere.
func (s *Service) exportFiles(ctx context.Context, z *zip.Writer, id int64) error {
	theirs := `SELECT c.id FROM comments c JOIN tickets t ON t.id = c.ticket_id WHERE t.requester_id = ? OR (c.author_type = 'customer' AND c.author_id = ?)`
	atts, err := s.maps(ctx, `SELECT id, filename, sha256 FROM attachments WHERE comment_id IN (`+theirs+`) ORDER BY id`, id, id)
	if err != nil {
		return err
	}
	for _, a := range atts {
		f, err := s.blobs.Open(fmt.Sprint(a["sha256"]))
		if err != nil {
			s.log.Warn("privacy: export attachment", "id", a["id"], "err", err)
			continue
		}
		name := fmt.Sprintf("attachments/%v-%s", a["id"], safeName(fmt.Sprint(a["filename"])))
		err = copyFile(z, name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, raw, sha256 FROM inbound_messages WHERE ticket_id IN (SELECT id FROM tickets WHERE requester_id = ?) OR comment_id IN (`+theirs+`) ORDER BY id`, id, id, id)
	if err != nil {
		return fmt.Errorf("privacy: export mail: %w", err)
	}
	type msg struct {
		id  int64
		raw []byte
		sum string
	}
	var msgs []msg
	for rows.Next() {
		var m msg
		if err := rows.Scan(&m.id, &m.raw, &m.sum); err != nil {
			rows.Close()
			return fmt.Errorf("privacy: export mail: %w", err)
		}
		msgs = append(msgs, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("privacy: export mail: %w", err)
	}
	for _, m := range msgs {
		name := fmt.Sprintf("mail/%d.eml", m.id)
		if m.raw != nil {
			w, err := z.Create(name)
			if err != nil {
				return fmt.Errorf("privacy: export %s: %w", name, err)
			}
			if _, err := w.Write(m.raw); err != nil {
				return fmt.Errorf("privacy: export %s: %w", name, err)
			}
			continue
		}
		f, err := s.blobs.Open(m.sum)
		if err != nil {
			s.log.Warn("privacy: export mail", "id", m.id, "err", err)
			continue
		}
		err = copyFile(z, name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func copyFile(z *zip.Writer, name string, r io.Reader) error {
	w, err := z.Create(name)
	if err != nil {
		return fmt.Errorf("privacy: export %s: %w", name, err)
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("privacy: export %s: %w", name, err)
	}
	return nil
}

// safeName keeps a file name inside its folder of the archive.
func safeName(n string) string {
	n = path.Base(strings.ReplaceAll(n, `\`, "/"))
	if n == "." || n == "/" || n == ".." || n == "" {
		return "file"
	}
	return n
}

func writeJSON(z *zip.Writer, name string, v any) error {
	w, err := z.Create(name)
	if err != nil {
		return fmt.Errorf("privacy: export %s: %w", name, err)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // read by people: <p>, not \u003cp\u003e
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("privacy: export %s: %w", name, err)
	}
	return nil
}

// jsonCols hold JSON documents; timeCols milliseconds since the epoch.
var jsonCols = map[string]bool{"custom_fields": true, "data": true}

func isTimeCol(c string) bool { return c == "at" || strings.HasSuffix(c, "_at") }

// maps runs q and returns its rows as column → value maps, with JSON
// columns decoded and times as RFC 3339.
func (s *Service) maps(ctx context.Context, q string, a ...any) ([]map[string]any, error) {
	rows, err := s.db.QueryContext(ctx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("privacy: export: %w", err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("privacy: export: %w", err)
	}
	out := []map[string]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("privacy: export: %w", err)
		}
		m := map[string]any{}
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			switch {
			case jsonCols[c]:
				var doc any
				if str, ok := v.(string); ok && json.Unmarshal([]byte(str), &doc) == nil {
					v = doc
				}
			case isTimeCol(c):
				if ms, ok := v.(int64); ok {
					v = db.Time(ms).UTC().Format(time.RFC3339)
				}
			}
			m[c] = v
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
