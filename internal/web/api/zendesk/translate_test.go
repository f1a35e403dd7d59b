package zendesk_test

import (
	"testing"

	"github.com/ombud/ombud/internal/search"
	"github.com/ombud/ombud/internal/web/api/zendesk"
)

// TestTranslate checks Zendesk's search language against the Ombud query
// it becomes, and that every translation parses in Ombud's language.
func TestTranslate(t *testing.T) {
	fields := map[int64]string{360001: "order_no"}
	tests := []struct {
		in, kind, want string
		err            string // the error name, when refused
	}{
		{in: "type:ticket status:open", kind: "ticket", want: "status:open"},
		{in: "status:hold", kind: "ticket", want: "status:on_hold"},
		{in: "status<solved", kind: "ticket", want: "status:new,open,pending,on_hold"},
		{in: "status<=pending", kind: "ticket", want: "status:new,open,pending"},
		{in: "status>=solved", kind: "ticket", want: "status:solved,closed"},
		{in: "priority>normal", kind: "ticket", want: "priority:high,urgent"},
		{in: "priority<high", kind: "ticket", want: "priority:low,normal"},
		{in: "-status:solved tags:vip -tags:spam", kind: "ticket", want: "-status:solved tag:vip -tag:spam"},
		{in: "ticket_type:incident group:Billing via:voice", kind: "ticket", want: "type:incident team:Billing channel:phone"},
		{in: "assignee:me requester:ola@example.no organization:Acme", kind: "ticket", want: "assignee:me requester:ola@example.no organization:Acme"},
		{in: "assignee:1000000000007", kind: "ticket", want: "assignee:7"},
		{in: "created>2026-01-01 updated<2days solved:2026-03-01", kind: "ticket", want: "created>2026-01-01 updated<2days solved:2026-03-01"},
		{in: "created>=2026-01-01T10:00:00Z", kind: "ticket", want: "created>=2026-01-01T10:00:00Z"},
		{in: `printer "on fire" subject:refund description:broken`, kind: "ticket", want: `printer "on fire" subject:refund broken`},
		{in: "custom_field_360001:A-1234 order_by:created sort:desc", kind: "ticket", want: "field.order_no:A-1234"},
		{in: "type:user ola", kind: "user", want: "ola"},
		{in: "type:organization acme", kind: "organization", want: "acme"},
		{in: "type:group billing", err: "InvalidSearchQuery"},
		{in: "brand:acme", err: "InvalidSearchQuery"},
		{in: "custom_field_9:x", err: "InvalidSearchQuery"},
		{in: "status:waiting", err: "InvalidSearchQuery"},
		{in: "via:fax", err: "InvalidSearchQuery"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			kind, got, err := zendesk.Translate(tt.in, fields)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("translated to %q, want error %s", got, tt.err)
				}
				_, body := zendesk.Describe(nil, err, nil)
				if body.Error != tt.err {
					t.Errorf("error %q, want %s", body.Error, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if kind != tt.kind || got != tt.want {
				t.Errorf("got %s %q, want %s %q", kind, got, tt.kind, tt.want)
			}
			if kind == "ticket" {
				if _, err := search.Parse(got); err != nil {
					t.Errorf("Ombud cannot read %q: %v", got, err)
				}
			}
		})
	}
}
