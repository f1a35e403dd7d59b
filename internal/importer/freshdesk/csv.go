package freshdesk

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/importer"
)

// csvColumns are the ticket export's own columns; any other column is a
// custom field, by its label (created as a text field when ticket_fields.json
// does not describe it).
var csvColumns = map[string]bool{
	"ticket id": true, "subject": true, "description": true, "status": true, "priority": true, "source": true, "type": true,
	"agent": true, "group": true, "created time": true, "due by time": true, "resolved time": true, "closed time": true,
	"last update time": true, "initial response time": true, "time tracked": true, "first response time (in hrs)": true,
	"resolution time (in hrs)": true, "agent interactions": true, "customer interactions": true, "resolution status": true,
	"first response status": true, "tags": true, "survey results": true, "product": true, "full name": true,
	"contact id": true, "email": true, "work phone": true, "mobile phone": true, "company name": true, "requester name": true,
	"requester email": true, "association type": true, "every response status": true, "skill": true,
}

// readCSV converts the ticket export's CSV: one ticket a row, with its
// description but no conversations (the CSV export has none).
func (r *reader) readCSV(fsys fs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(io.LimitReader(f, importer.MaxExportFile))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%s: no header row: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	if _, ok := col["ticket id"]; !ok {
		return fmt.Errorf("%s: no Ticket ID column", name)
	}
	// Columns of custom fields the export does not describe become text fields.
	extra := map[int]string{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		l := strings.ToLower(h)
		if csvColumns[l] || h == "" {
			continue
		}
		if fname, ok := r.byLabel[l]; ok {
			extra[i] = fname
			continue
		}
		fname := "csv:" + l
		r.addField(fmt.Sprintf("%s: column %q", name, h), fname, field{key: importer.FieldKey(h), label: h, typ: "text"})
		extra[i] = fname
	}
	type row struct {
		n      int
		fields []string
	}
	var rows []row
	teams := map[string]bool{}
	for _, g := range r.groups {
		teams[strings.ToLower(g)] = true
	}
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				r.c.Fail(fmt.Sprintf("%s: row %d", name, n), "is not valid CSV (%s)", pe.Err)
				continue
			}
			return fmt.Errorf("%s: %w", name, err)
		}
		rows = append(rows, row{n, rec})
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if g := get("group"); g != "" && !teams[strings.ToLower(g)] {
			teams[strings.ToLower(g)] = true
			r.c.Add(fmt.Sprintf("%s: row %d", name, n), importer.Record{Kind: importer.KindTeam, Team: &importer.Team{Name: g}})
		}
	}
	for _, rw := range rows {
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(rw.fields) {
				return strings.TrimSpace(rw.fields[i])
			}
			return ""
		}
		id, err := strconv.ParseInt(get("ticket id"), 10, 64)
		s := fmt.Sprintf("%s: row %d (ticket %s)", name, rw.n, get("ticket id"))
		if err != nil || id <= 0 {
			r.c.Fail(s, "Ticket ID is not a number")
			continue
		}
		custom := map[string]string{}
		for i, fname := range extra {
			if i < len(rw.fields) && strings.TrimSpace(rw.fields[i]) != "" {
				custom[fname] = strings.TrimSpace(rw.fields[i])
			}
		}
		r.csvTicket(s, id, get, custom)
	}
	return nil
}

func (r *reader) csvTicket(s string, id int64, get func(string) string, custom map[string]string) {
	created, err := importer.ParseTime(get("created time"))
	if err != nil {
		r.c.Fail(s, "column %q %s", "Created time", err)
		return
	}
	times := map[string]*time.Time{}
	for _, c := range []string{"resolved time", "closed time", "last update time"} {
		if v := get(c); v != "" {
			t, err := importer.ParseTime(v)
			if err != nil {
				r.c.Fail(s, "column %q %s", c, err)
				return
			}
			times[c] = &t
		}
	}
	status, ok := StatusNames[strings.ToLower(get("status"))]
	if !ok {
		status = 2 // a custom status
	}
	prio, ok := PriorityNames[strings.ToLower(get("priority"))]
	if !ok {
		r.c.Fail(s, "Priority %q is not Low, Medium, High or Urgent", get("priority"))
		return
	}
	out, st, ok := r.common(s, id, status, prio, SourceNames[strings.ToLower(get("source"))], get("type"))
	if !ok {
		return
	}
	out.Subject = firstNonEmpty(get("subject"), fmt.Sprintf("Freshdesk ticket %d", id))
	email := strings.ToLower(firstNonEmpty(get("email"), get("requester email")))
	name := firstNonEmpty(get("full name"), get("requester name"))
	if cid, err := strconv.ParseInt(get("contact id"), 10, 64); err == nil {
		if c, ok := r.contacts[cid]; ok {
			email, name = contactEmail(c), firstNonEmpty(c.Name, name)
		} else if email == "" {
			email = contactEmail(contact{ID: cid})
		}
	}
	if email == "" {
		r.c.Fail(s, "has neither Email nor Contact ID")
		return
	}
	out.Requester, out.RequesterName = email, firstNonEmpty(name, email)
	out.Tags = importer.Tags(strings.Split(get("tags"), ","))
	for fname, v := range custom {
		f := r.fields[fname]
		val, ok, err := value(f, v)
		if err != nil {
			r.c.Fail(s, "column %q %s", f.label, err)
			return
		}
		if ok {
			if out.CustomFields == nil {
				out.CustomFields = map[string]any{}
			}
			out.CustomFields[f.key] = val
		}
	}
	var assignee string
	// Without agents.json names cannot be matched: unassigned (docs/import.md).
	if a := get("agent"); a != "" && !strings.EqualFold(a, "no agent") && len(r.agents) > 0 {
		e, ok := r.byName[strings.ToLower(a)]
		if !ok {
			r.c.Fail(s, "Agent %q is not an agent of agents.json", a)
			return
		}
		assignee = e
	}
	team := get("group")
	if strings.EqualFold(team, "no group") {
		team = ""
	}
	first := importer.Action{At: created, Actor: "customer:" + email, Do: "comment", Body: firstNonEmpty(get("description"), out.Subject), Public: true}
	updated := created
	if t := times["last update time"]; t != nil {
		updated = *t
	}
	out.Timeline = timeline(first, nil, assignee, team, st, updated, times["resolved time"], times["closed time"])
	r.c.Add(s, importer.Record{Kind: importer.KindTicket, Ticket: out})
}
