package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var (
	admin   = authz.Actor{Kind: authz.KindAgent, ID: 1, Role: authz.Admin, Name: "Ada Admin"}
	manager = authz.Actor{Kind: authz.KindAgent, ID: 2, Role: authz.Manager, Name: "Max Manager"}
	t0      = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
)

// seed writes rows a minute apart: the actor alternates, actions and
// targets vary, every third row comes from another address.
func seed(t *testing.T, d *db.DB, n int) {
	t.Helper()
	for i := range n {
		ip := "198.51.100.1"
		if i%3 == 0 {
			ip = "203.0.113.7"
		}
		ctx := audit.WithRequest(context.Background(), ip, "Mozilla/5.0 "+strings.Repeat("x", 400))
		actor, action := admin, "sla.policy.update"
		if i%2 == 1 {
			actor, action = manager, "auth.sign_in"
		}
		err := d.Write(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, t0.Add(time.Duration(i)*time.Minute), actor, action, fmt.Sprintf("policy:%d", i%4),
				audit.Change(map[string]any{"name": "Gold", "n": i}, map[string]any{"name": fmt.Sprintf("Gold %d", i), "n": i + 1}))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecordStoresRequestAndRedacts(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := audit.WithRequest(t.Context(), "2001:db8::1", strings.Repeat("u", 500))
		err := d.Write(ctx, func(tx *db.Tx) error {
			return audit.Record(ctx, tx, t0, admin, "mailbox.update", "mailbox:1", audit.Change(
				map[string]any{"address": "a@x.test", "imap_password": "hunter2", "settings": map[string]any{"webhook_url": "https://hooks.test/s3cr3t", "smtp_password": ""}},
				map[string]any{"address": "b@x.test", "imap_password": "hunter3", "token": "tok_live_abc", "totp_secret": "JBSWY3DP"}))
		})
		if err != nil {
			t.Fatal(err)
		}
		svc := audit.NewService(d, func() time.Time { return t0 })
		e, err := svc.Search(t.Context(), admin, audit.Filter{}, page.Request{Limit: 10})
		if err != nil || len(e.Data) != 1 {
			t.Fatalf("search: %v %v", e, err)
		}
		got := e.Data[0]
		if got.IP != "2001:db8::1" || len([]rune(got.UserAgent)) != 160 || got.ActorName != "Ada Admin" {
			t.Errorf("request fields: ip %q ua %d runes, actor %q", got.IP, len([]rune(got.UserAgent)), got.ActorName)
		}
		all := fmt.Sprint(got.Data)
		for _, secret := range []string{"hunter2", "hunter3", "s3cr3t", "tok_live_abc", "JBSWY3DP"} {
			if strings.Contains(all, secret) {
				t.Errorf("secret %q stored: %s", secret, all)
			}
		}
		if !strings.Contains(all, "b@x.test") || !strings.Contains(all, audit.Redacted) {
			t.Errorf("data lost its ordinary fields or markers: %s", all)
		}
		before := got.Data["before"].(map[string]any)
		if s := before["settings"].(map[string]any)["smtp_password"]; s != "" {
			t.Errorf("an empty secret should stay empty, got %v", s)
		}
	})
}

func TestSearchFiltersAndPaging(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		seed(t, d, 12)
		svc := audit.NewService(d, func() time.Time { return t0 })
		tests := []struct {
			name string
			f    audit.Filter
			want int
		}{
			{"everything", audit.Filter{}, 12},
			{"actor", audit.Filter{ActorID: manager.ID}, 6},
			{"action prefix", audit.Filter{Action: "auth."}, 6},
			{"action prefix is a prefix, not a pattern", audit.Filter{Action: "%"}, 0},
			{"target", audit.Filter{Target: "policy:1"}, 3},
			{"text in data, any case", audit.Filter{Text: "GOLD 11"}, 1},
			{"text matches the actor's name", audit.Filter{Text: "max man"}, 6},
			{"ip", audit.Filter{IP: "203.0.113.7"}, 4},
			{"from", audit.Filter{From: t0.Add(10 * time.Minute)}, 2},
			{"to", audit.Filter{To: t0.Add(2 * time.Minute)}, 2},
			{"combined", audit.Filter{ActorID: admin.ID, IP: "203.0.113.7", From: t0.Add(time.Minute)}, 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := svc.Search(t.Context(), admin, tt.f, page.Request{Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				if len(got.Data) != tt.want {
					t.Errorf("%d rows, want %d", len(got.Data), tt.want)
				}
			})
		}
		// Pages of 5: newest first, no row twice, none lost.
		var ids []int64
		pr := page.Request{Limit: 5}
		for range 4 {
			got, err := svc.Search(t.Context(), admin, audit.Filter{}, pr)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got.Data {
				ids = append(ids, e.ID)
			}
			if got.NextCursor == nil {
				break
			}
			if pr.Cursor, err = page.Decode(*got.NextCursor); err != nil {
				t.Fatal(err)
			}
		}
		if len(ids) != 12 {
			t.Fatalf("paged %d rows, want 12", len(ids))
		}
		for i := 1; i < len(ids); i++ {
			if ids[i] >= ids[i-1] {
				t.Fatalf("not newest first: %v", ids)
			}
		}
	})
}

func TestSearchRefuses(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		svc := audit.NewService(d, time.Now)
		tests := []struct {
			name  string
			actor authz.Actor
			f     audit.Filter
			code  apperr.Code
			field string
		}{
			{"manager", manager, audit.Filter{}, apperr.CodeForbidden, ""},
			{"bad ip", admin, audit.Filter{IP: "not-an-ip"}, apperr.CodeInvalid, "ip"},
			{"long text", admin, audit.Filter{Text: strings.Repeat("a", 201)}, apperr.CodeInvalid, "q"},
			{"to before from", admin, audit.Filter{From: t0, To: t0.Add(-time.Hour)}, apperr.CodeInvalid, "to"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := svc.Search(t.Context(), tt.actor, tt.f, page.Request{Limit: 10})
				e := apperr.As(err)
				if e == nil || e.Code != tt.code || (tt.field != "" && e.Fields[tt.field] == "") {
					t.Fatalf("err = %v, want %s on %q", err, tt.code, tt.field)
				}
			})
		}
	})
}

func TestParseFilter(t *testing.T) {
	oslo, _ := time.LoadLocation("Europe/Oslo")
	tests := []struct {
		q     map[string]string
		field string
		check func(audit.Filter) bool
	}{
		{map[string]string{"actor": "7", "action": "auth.", "ip": "10.0.0.1"}, "", func(f audit.Filter) bool { return f.ActorID == 7 && f.Action == "auth." }},
		{map[string]string{"from": "2025-03-01", "to": "2025-03-01"}, "", func(f audit.Filter) bool {
			return f.From.Equal(time.Date(2025, 3, 1, 0, 0, 0, 0, oslo)) && f.To.Equal(time.Date(2025, 3, 2, 0, 0, 0, 0, oslo))
		}},
		{map[string]string{"from": "2025-03-01T10:00:00Z"}, "", func(f audit.Filter) bool { return f.From.Equal(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)) }},
		{map[string]string{"actor": "x"}, "actor", nil},
		{map[string]string{"from": "yesterday"}, "from", nil},
		{map[string]string{"to": "2025-13-01"}, "to", nil},
		{map[string]string{"ip": "1.2.3"}, "ip", nil},
	}
	for _, tt := range tests {
		f, err := audit.ParseFilter(func(k string) string { return tt.q[k] }, oslo)
		if tt.field != "" {
			if e := apperr.As(err); e == nil || e.Fields[tt.field] == "" {
				t.Errorf("%v: err %v, want one naming %s", tt.q, err, tt.field)
			}
			continue
		}
		if err != nil || !tt.check(f) {
			t.Errorf("%v: %+v %v", tt.q, f, err)
		}
	}
}

func TestRetention(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := t.Context()
		now := t0.AddDate(0, 0, 30)
		svc := audit.NewService(d, func() time.Time { return now })
		// 2500 rows over 25 days: more than two delete batches.
		err := d.Write(ctx, func(tx *db.Tx) error {
			for i := range 2500 {
				if err := audit.Record(ctx, tx, t0.Add(time.Duration(i)*14*time.Minute+24*time.Second*time.Duration(i)/100), admin, "x.y", "", nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		count := func() (n int) {
			if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'x.y'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if days, err := svc.Retention(ctx, admin); err != nil || days != audit.DefaultRetention {
			t.Fatalf("default retention %d %v", days, err)
		}
		if n, err := svc.Prune(ctx, now); err != nil || n != 0 {
			t.Fatalf("a year's retention pruned %d rows (%v)", n, err)
		}
		if err := svc.SetRetention(ctx, manager, 1); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("manager set retention: %v", err)
		}
		for _, bad := range []int{-1, audit.MaxRetention + 1} {
			if err := svc.SetRetention(ctx, admin, bad); apperr.As(err) == nil || apperr.As(err).Fields["retention_days"] == "" {
				t.Fatalf("retention %d: %v", bad, err)
			}
		}
		if err := svc.SetRetention(ctx, admin, 10); err != nil {
			t.Fatal(err)
		}
		cut := now.AddDate(0, 0, -10)
		var older int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'x.y' AND at < ?`, db.Millis(cut)).Scan(&older); err != nil {
			t.Fatal(err)
		}
		n, err := svc.Prune(ctx, now)
		if err != nil || int(n) != older || older < 2001 {
			t.Fatalf("pruned %d (%v), want the %d older rows", n, err, older)
		}
		if got := count(); got != 2500-older {
			t.Errorf("%d rows left, want %d", got, 2500-older)
		}
		// The change of retention is itself in the log, with before/after,
		// and newer than the cut.
		list, err := svc.Search(ctx, admin, audit.Filter{Action: "audit.retention"}, page.Request{Limit: 5})
		if err != nil || len(list.Data) != 1 {
			t.Fatalf("retention change rows: %v %v", list.Data, err)
		}
		if b := list.Data[0].Data["before"].(map[string]any)["retention_days"]; b != float64(365) {
			t.Errorf("before = %v", b)
		}
		// 0 keeps everything.
		if err := svc.SetRetention(ctx, admin, 0); err != nil {
			t.Fatal(err)
		}
		if n, err := svc.Prune(ctx, now.AddDate(10, 0, 0)); err != nil || n != 0 {
			t.Fatalf("retention 0 pruned %d (%v)", n, err)
		}
	})
}

func TestExportIsAudited(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		seed(t, d, 7)
		svc := audit.NewService(d, func() time.Time { return t0.Add(time.Hour) })
		ctx := audit.WithRequest(t.Context(), "192.0.2.44", "curl/8")
		var got []int64
		if err := svc.Export(ctx, admin, audit.Filter{Action: "auth."}, "csv", func(e audit.Entry) error { got = append(got, e.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Errorf("exported %d rows, want 3", len(got))
		}
		if err := svc.Export(ctx, manager, audit.Filter{}, "csv", func(audit.Entry) error { return nil }); !apperr.Is(err, apperr.CodeForbidden) {
			t.Errorf("manager export: %v", err)
		}
		list, err := svc.Search(t.Context(), admin, audit.Filter{Action: "audit.export"}, page.Request{Limit: 5})
		if err != nil || len(list.Data) != 1 {
			t.Fatalf("export rows: %v %v", list.Data, err)
		}
		e := list.Data[0]
		if e.IP != "192.0.2.44" || e.Target != "csv" || e.Data["filter"].(map[string]any)["action"] != "auth." {
			t.Errorf("export row: %+v", e)
		}
	})
}
