package privacy_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/privacy"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/webhook"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// The marker and the address appear in every kind of row the customer's
// data reaches; after an erasure neither may be found anywhere.
const (
	marker = "pxqvmarker"
	addr   = "zora.pxq@example.net"
)

func actorOf(e *apptest.Env, role authz.Role) authz.Actor {
	a := e.Agents[role]
	return authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: role, Name: a.Name}
}

// mail builds a message from the customer: text and HTML alternatives and
// a text attachment carrying the marker; pad makes the attachment large
// enough that the raw message goes to the blob store.
func mail(msgID, subject string, pad int) []byte {
	att := "attachment " + marker + "\n" + strings.Repeat("x", pad)
	return []byte("From: Zora " + marker + " <" + addr + ">\r\n" +
		"To: help@ombud.test\r\n" +
		"Subject: " + subject + "\r\n" +
		"Message-ID: <" + msgID + ">\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
		"--outer\r\n" +
		"Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMy order " + marker + " never came. Call me at " + addr + ".\r\n" +
		"--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>My order <b>" + marker + "</b> never came.</p>\r\n" +
		"--alt--\r\n" +
		"--outer\r\n" +
		"Content-Type: text/plain; name=\"" + marker + ".txt\"\r\n" +
		"Content-Disposition: attachment; filename=\"" + marker + ".txt\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString([]byte(att)) + "\r\n" +
		"--outer--\r\n")
}

type fixture struct {
	customerID int64
	tickets    []int64
	other      int64 // another customer's ticket that mentions the address
}

func build(t *testing.T, e *apptest.Env) fixture {
	t.Helper()
	ctx := t.Context()
	admin, agent := actorOf(e, authz.Admin), actorOf(e, authz.Agent)
	box, name := "help@ombud.test", "Help"
	mb, err := e.Sys.Email.CreateMailbox(ctx, admin, email.MailboxInput{Address: &box, Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	var f fixture
	for i, pad := range []int{10, 300 << 10} {
		res, err := e.Sys.Email.Receive(ctx, email.Inbound{MailboxID: mb.ID, Source: "smtp", EnvelopeFrom: addr, EnvelopeTo: []string{box},
			Raw: mail(fmt.Sprintf("m%d.%s@example.net", i, marker), "Order "+marker+" lost", pad)})
		if err != nil || res.TicketID == 0 {
			t.Fatalf("receive %d: %+v %v", i, res, err)
		}
		f.tickets = append(f.tickets, res.TicketID)
	}
	tk, err := e.Sys.Tickets.Get(ctx, agent, f.tickets[0])
	if err != nil {
		t.Fatal(err)
	}
	f.customerID = tk.RequesterID
	no := false
	if _, err := e.Sys.Tickets.AddComment(ctx, agent, f.tickets[0], ticket.CommentInput{Body: "Sorry about " + marker + ", Zora."}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sys.Tickets.AddComment(ctx, agent, f.tickets[0], ticket.CommentInput{Body: "Chat note: " + marker + " called from " + addr, Public: &no}); err != nil {
		t.Fatal(err)
	}
	if err := e.Sys.Tickets.SaveDraft(ctx, agent, f.tickets[1], "Draft for "+marker, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Sys.Customers.AppendNote(ctx, agent, f.customerID, "VIP "+marker); err != nil {
		t.Fatal(err)
	}
	// Someone else's ticket mentions the address; only the address goes.
	st, body := e.Do(t, authz.Agent, "POST", "/api/v1/tickets", map[string]any{
		"subject": "Keep this ticket", "description": "keep-this text; forwarded by " + addr,
		"requester": map[string]any{"email": "other@example.org", "name": "Other Person"},
	})
	if st != 201 {
		t.Fatalf("other ticket: %d %v", st, body)
	}
	f.other = int64(body["id"].(float64))
	if err := e.Sys.Tickets.SaveDraft(ctx, agent, f.other, "ask "+addr+" again", false); err != nil {
		t.Fatal(err)
	}
	// Survey answers carry the customer's own words: a CSAT comment on
	// their ticket and an NPS reason, each tagged with a topic.
	for _, q := range []string{
		`INSERT INTO csat_surveys (id, ticket_id, customer_id, channel, language, scale, requested_at, score, comment, rated_at)
			VALUES (9001, ` + fmt.Sprint(f.tickets[0]) + `, ` + fmt.Sprint(f.customerID) + `, 'email', 'en', 'good_bad', 1, 1, 'slow ` + marker + ` answer', 2)`,
		`INSERT INTO nps_campaigns (id, name, start_at, created_at, updated_at) VALUES (9002, 'Spring', 1, 1, 1)`,
		`INSERT INTO nps_sends (id, campaign_id, run_at, customer_id, language, sent_at, score, reason, answered_at)
			VALUES (9003, 9002, 1, ` + fmt.Sprint(f.customerID) + `, 'en', 1, 3, 'because ` + marker + ` broke', 2)`,
		`INSERT INTO feedback_tags (source, item_id, topic, created_at) VALUES ('csat', 9001, 'speed', 1), ('nps', 9003, 'quality', 1)`,
	} {
		if err := e.Sys.DB.Write(ctx, func(tx *db.Tx) error { _, err := tx.ExecContext(ctx, q); return err }); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Sys.Reports.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func blobs(t *testing.T, e *apptest.Env) *blob.Store {
	t.Helper()
	b, err := blob.New(filepath.Join(e.Sys.Config.DataDir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func traces(t *testing.T, e *apptest.Env, text string) []string {
	t.Helper()
	found, err := privacy.Traces(t.Context(), e.Sys.DB, blobs(t, e), text)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func searchCount(t *testing.T, e *apptest.Env, q string) int {
	t.Helper()
	st, body := e.Do(t, authz.Admin, "GET", "/api/v1/search?q="+url.QueryEscape(q), nil)
	if st != 200 {
		t.Fatalf("search %q: %d %v", q, st, body)
	}
	data, _ := body["data"].([]any)
	return len(data)
}

// createdTotals is the created-ticket count by the roll-ups and by the facts.
func createdTotals(t *testing.T, d *db.DB) (hourly, facts int64) {
	t.Helper()
	ctx := context.Background()
	if err := d.QueryRowContext(ctx, `SELECT COALESCE(SUM(created_n), 0) FROM report_hourly`).Scan(&hourly); err != nil {
		t.Fatal(err)
	}
	if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_facts WHERE kind = 'created'`).Scan(&facts); err != nil {
		t.Fatal(err)
	}
	return hourly, facts
}

func TestEraseLeavesNoTrace(t *testing.T) {
	for _, engine := range dbtest.Engines {
		for _, mode := range []privacy.Mode{privacy.Anonymise, privacy.Delete} {
			t.Run(engine.String()+"/"+string(mode), func(t *testing.T) {
				e := apptest.New(t, engine)
				ctx := t.Context()
				// A webhook subscription keeps a copy of what it sent in
				// its delivery log: that copy must go too.
				if _, err := e.Sys.Webhooks.Create(ctx, actorOf(e, authz.Admin), webhook.Input{Name: "CRM", URL: "https://crm.example.com/hook",
					Events: []string{webhook.TicketCreated, webhook.CommentAdded, webhook.CustomerCreated}}); err != nil {
					t.Fatal(err)
				}
				f := build(t, e)
				var deliveries int
				if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_deliveries`).Scan(&deliveries); err != nil || deliveries == 0 {
					t.Fatalf("no webhook deliveries to erase (%v)", err)
				}
				if got := traces(t, e, marker); len(got) == 0 {
					t.Fatal("the marker is nowhere before the erasure: the test proves nothing")
				}
				if n := searchCount(t, e, marker); n != 2 {
					t.Fatalf("search before: %d tickets, want 2", n)
				}
				if n := searchCount(t, e, addr); n < 2 {
					t.Fatalf("search for the address before: %d tickets, want 2 or more", n)
				}
				if mode == privacy.Anonymise {
					checkExport(t, e, f)
				}
				hourly, facts := createdTotals(t, e.Sys.DB)
				if hourly != 3 || facts != 3 {
					t.Fatalf("created before: hourly %d facts %d, want 3", hourly, facts)
				}
				// An agent changed the customer's details before: the audit
				// rows of those changes hold a name and an address the
				// customer no longer has, which no sweep by their current
				// ones would find.
				for _, n := range []string{"Zora " + marker + " Previous", "Zora Later"} {
					if _, err := e.Sys.Customers.Update(ctx, actorOf(e, authz.Agent), f.customerID, customer.CustomerPatch{Name: &n}); err != nil {
						t.Fatal(err)
					}
				}
				old, err := e.Sys.Customers.AddIdentity(ctx, actorOf(e, authz.Agent), f.customerID, customer.Identity{Type: "email", Value: "old." + marker + "@example.org"})
				if err != nil {
					t.Fatal(err)
				}
				if err := e.Sys.Customers.RemoveIdentity(ctx, actorOf(e, authz.Agent), f.customerID, old.ID); err != nil {
					t.Fatal(err)
				}
				e.Sys.Privacy.SetBatch(1) // every ticket its own transaction
				if _, err := e.Sys.Privacy.Erase(ctx, actorOf(e, authz.Manager), f.customerID, mode); err == nil {
					t.Fatal("a manager erased a customer")
				}
				res, err := e.Sys.Privacy.Erase(ctx, actorOf(e, authz.Admin), f.customerID, mode)
				if err != nil {
					t.Fatal(err)
				}
				if res.Tickets != 2 || res.Attachments < 2 || res.Messages != 2 || res.Blobs < 1 {
					t.Errorf("result %+v", res)
				}
				for _, text := range []string{marker, addr} {
					if got := traces(t, e, text); len(got) > 0 {
						t.Errorf("%q still found in %v", text, got)
					}
				}
				if n := searchCount(t, e, marker); n != 0 {
					t.Errorf("search after: %d tickets", n)
				}
				// Nor by the address, whose index rows (SQLite) went with
				// the texts (traces above reads that table too).
				if n := searchCount(t, e, addr); n != 0 {
					t.Errorf("search for the address after: %d tickets", n)
				}
				hourly, facts = createdTotals(t, e.Sys.DB)
				want := int64(3)
				if mode == privacy.Delete {
					want = 1
				}
				if hourly != want || facts != want {
					t.Errorf("created after: hourly %d facts %d, want %d", hourly, facts, want)
				}
				// The other customer's ticket keeps its own text.
				st, body := e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments", f.other), nil)
				if st != 200 || !strings.Contains(fmt.Sprint(body["data"]), "keep-this text; forwarded by [erased]") {
					t.Errorf("other ticket: %d %v", st, body)
				}
				st, body = e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/customers/%d", f.customerID), nil)
				switch mode {
				case privacy.Delete:
					if st != 404 {
						t.Errorf("customer after delete: %d", st)
					}
				default:
					if st != 200 || body["name"] != privacy.Erased {
						t.Errorf("customer after anonymise: %d %v", st, body)
					}
					st, body = e.Do(t, authz.Admin, "GET", fmt.Sprintf("/api/v1/tickets/%d", f.tickets[0]), nil)
					if st != 200 || body["subject"] != privacy.Erased {
						t.Errorf("anonymised ticket: %d %v", st, body)
					}
				}
				var n int
				if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'customer_erased' AND target = ?`,
					fmt.Sprintf("customer:%d", f.customerID)).Scan(&n); err != nil || n != 1 {
					t.Errorf("audit rows %d %v", n, err)
				}
			})
		}
	}
}

// checkExport reads the customer's archive and finds everything in it.
func checkExport(t *testing.T, e *apptest.Env, f fixture) {
	t.Helper()
	ctx := t.Context()
	if _, err := e.Sys.Privacy.Export(ctx, actorOf(e, authz.Agent), f.customerID); err == nil {
		t.Fatal("an agent exported a customer")
	}
	a, err := e.Sys.Privacy.Export(ctx, actorOf(e, authz.Admin), f.customerID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := a.WriteTo(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, zf := range z.File {
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		files[zf.Name] = string(b)
	}
	wantIn := map[string][]string{
		"customer.json": {addr, "VIP " + marker, "Zora " + marker},
		fmt.Sprintf("tickets/%d.json", f.tickets[0]): {"Order " + marker + " lost", "Sorry about " + marker, "Chat note: " + marker, `"comment_added"`, "<b>" + marker + "</b>"},
		fmt.Sprintf("tickets/%d.json", f.tickets[1]): {"Order " + marker + " lost"},
	}
	for name, wants := range wantIn {
		for _, w := range wants {
			if !strings.Contains(files[name], w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	atts, mails := 0, 0
	for name, body := range files {
		switch {
		case strings.HasPrefix(name, "attachments/") && strings.HasSuffix(name, "-"+marker+".txt"):
			if strings.HasPrefix(body, "attachment "+marker) {
				atts++
			}
		case strings.HasPrefix(name, "mail/") && strings.Contains(body, "Message-ID: <m"):
			mails++
		}
	}
	if atts != 2 || mails != 2 {
		t.Errorf("archive has %d attachments and %d messages, want 2 and 2: %v", atts, mails, keys(files))
	}
	if _, ok := files[fmt.Sprintf("tickets/%d.json", f.other)]; ok {
		t.Error("another customer's ticket is in the export")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
