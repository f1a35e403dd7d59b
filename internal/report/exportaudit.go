package report

import (
	"context"
	"time"

	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// RecordExport writes the audit row of a report download (CSV or NDJSON):
// who took which data out, for which period and filter. what names the
// export (the API path).
func (s *Service) RecordExport(ctx context.Context, actor authz.Actor, what, format string, f Filter) error {
	if err := authz.Check(actor, authz.ReportRead); err != nil {
		return err
	}
	data := map[string]any{"format": format}
	if !f.From.IsZero() {
		data["from"] = f.From.UTC().Format(time.RFC3339)
	}
	if !f.To.IsZero() {
		data["to"] = f.To.UTC().Format(time.RFC3339)
	}
	for k, v := range map[string]int64{"team_id": f.TeamID, "agent_id": f.AgentID, "organization_id": f.OrganizationID} {
		if v != 0 {
			data[k] = v
		}
	}
	for k, v := range map[string]string{"channel": f.Channel, "priority": f.Priority, "type": f.Type, "tag": f.Tag, "language": f.Language} {
		if v != "" {
			data[k] = v
		}
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		return audit.Record(ctx, tx, s.now(), actor, "report.export", what, data)
	})
}
