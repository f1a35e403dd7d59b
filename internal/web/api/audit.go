package api

import (
	"bufio"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// ListAudit answers GET /api/v1/audit: the audit log newest first, filtered
// (audit.FilterParams) and paged with an opaque cursor.
func (a *API) ListAudit(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, append(slices.Clone(audit.FilterParams), "limit", "cursor")...); err != nil {
		return err
	}
	q := r.URL.Query()
	f, err := audit.ParseFilter(q.Get, nil)
	if err != nil {
		return err
	}
	pr, err := page.Parse(q.Get("limit"), q.Get("cursor"))
	if err != nil {
		return err
	}
	list, err := a.Audit.Search(r.Context(), httpx.Actor(r.Context()), f, pr)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, list)
}

// ExportAudit answers GET /api/v1/audit/export?format=csv|ndjson: every
// row the filter matches (at most audit.MaxExport), newest first. The
// export is itself recorded in the audit log.
func (a *API) ExportAudit(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckQuery(r, append(slices.Clone(audit.FilterParams), "format")...); err != nil {
		return err
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "ndjson"
	}
	if format != "csv" && format != "ndjson" {
		return apperr.InvalidField("format", "must be csv or ndjson")
	}
	f, err := audit.ParseFilter(q.Get, nil)
	if err != nil {
		return err
	}
	actor := httpx.Actor(r.Context())
	if format == "csv" {
		st, cw := csvStream(w, "audit-log")
		_ = cw.Write([]string{"id", "at", "actor_id", "actor_name", "action", "target", "ip", "user_agent", "data"})
		err := a.Audit.Export(r.Context(), actor, f, format, func(e audit.Entry) error {
			data, _ := json.Marshal(e.Data)
			return cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.UTC().Format("2006-01-02T15:04:05.000Z"), strconv.FormatInt(e.ActorID, 10),
				csvSafe(e.ActorName), e.Action, csvSafe(e.Target), e.IP, csvSafe(e.UserAgent), string(data)})
		})
		return endCSV(st, cw, err)
	}
	st := httpx.NewStream(w, "application/x-ndjson")
	st.Header().Set("Content-Disposition", `attachment; filename="audit-log.ndjson"`)
	bw := bufio.NewWriter(st)
	enc := json.NewEncoder(bw)
	err = a.Audit.Export(r.Context(), actor, f, format, func(e audit.Entry) error {
		e.At = e.At.UTC()
		return enc.Encode(e)
	})
	return endNDJSON(st, bw, err)
}

// csvSafe keeps a spreadsheet from reading a free-text cell (a name, a
// target, a user agent someone chose) as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}
