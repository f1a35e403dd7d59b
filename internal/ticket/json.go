package ticket

import (
	"github.com/ombud/ombud/internal/jsonenc"
	"github.com/ombud/ombud/internal/page"
)

// AppendJSON appends t as encoding/json writes it (field order, null and
// omitempty rules of the struct tags, no HTML escaping), without
// reflection: a ticket answer and a list page of 50 spent much of their CPU
// in encoding/json. ok is false for a value it cannot write the same way (a
// time MarshalJSON refuses, custom fields encoding/json refuses); the
// caller then encodes t through encoding/json. TestTicketJSON compares the
// two for every field shape.
func (t *Ticket) AppendJSON(b []byte) (_ []byte, ok bool) {
	b = append(b, `{"id":`...)
	b = jsonenc.Int(b, t.ID)
	b = append(b, `,"subject":`...)
	b = jsonenc.String(b, t.Subject)
	b = append(b, `,"status":`...)
	b = jsonenc.String(b, string(t.Status))
	b = append(b, `,"priority":`...)
	b = jsonenc.String(b, t.Priority)
	b = append(b, `,"type":`...)
	b = jsonenc.String(b, t.Type)
	b = append(b, `,"channel":`...)
	b = jsonenc.String(b, t.Channel)
	b = append(b, `,"requester_id":`...)
	b = jsonenc.Int(b, t.RequesterID)
	if p := t.Requester; p != nil {
		b = append(b, `,"requester":{"id":`...)
		b = jsonenc.Int(b, p.ID)
		b = append(b, `,"type":`...)
		b = jsonenc.String(b, p.Type)
		b = append(b, `,"name":`...)
		b = jsonenc.String(b, p.Name)
		if p.Email != "" {
			b = append(b, `,"email":`...)
			b = jsonenc.String(b, p.Email)
		}
		b = append(b, '}')
	}
	b = append(b, `,"organization_id":`...)
	b = jsonenc.IntPtr(b, t.OrganizationID)
	b = append(b, `,"assignee_id":`...)
	b = jsonenc.IntPtr(b, t.AssigneeID)
	b = append(b, `,"team_id":`...)
	b = jsonenc.IntPtr(b, t.TeamID)
	b = append(b, `,"language":`...)
	b = jsonenc.String(b, t.Language)
	b = append(b, `,"tags":`...)
	b = jsonenc.Strings(b, t.Tags)
	b = append(b, `,"follower_ids":`...)
	b = jsonenc.Ints(b, t.FollowerIDs)
	b = append(b, `,"custom_fields":`...)
	switch {
	case t.CustomFields == nil:
		b = append(b, "null"...)
	case len(t.CustomFields) == 0:
		b = append(b, "{}"...)
	default:
		var err error
		if b, err = jsonenc.Value(b, t.CustomFields); err != nil {
			return b, false
		}
	}
	b = append(b, `,"merged_into_id":`...)
	b = jsonenc.IntPtr(b, t.MergedIntoID)
	if t.ExternalID != "" {
		b = append(b, `,"external_id":`...)
		b = jsonenc.String(b, t.ExternalID)
	}
	b = append(b, `,"comment_count":`...)
	b = jsonenc.Int(b, int64(t.CommentCount))
	b = append(b, `,"version":`...)
	b = jsonenc.Int(b, t.Version)
	var okC, okU, okS, okX bool
	b = append(b, `,"created_at":`...)
	b, okC = jsonenc.Time(b, t.CreatedAt)
	b = append(b, `,"updated_at":`...)
	b, okU = jsonenc.Time(b, t.UpdatedAt)
	b = append(b, `,"solved_at":`...)
	b, okS = jsonenc.TimePtr(b, t.SolvedAt)
	b = append(b, `,"closed_at":`...)
	b, okX = jsonenc.TimePtr(b, t.ClosedAt)
	return append(b, '}'), okC && okU && okS && okX
}

// AppendListJSON appends a page of tickets as encoding/json writes a
// page.List[Ticket]; ok as for AppendJSON.
func AppendListJSON(b []byte, l *page.List[Ticket]) (_ []byte, ok bool) {
	return page.AppendJSON(b, l, func(b []byte, t *Ticket) ([]byte, bool) { return t.AppendJSON(b) })
}
