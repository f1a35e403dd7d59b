package messaging_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/channel/messaging"
	"github.com/ombud/ombud/internal/customer"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/jobs"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/richtext"
	"github.com/ombud/ombud/internal/secret"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/webhook"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type requesters struct{ *customer.Service }

func (r requesters) Brief(ctx context.Context, ids []int64) (map[int64]ticket.CustomerBrief, error) {
	return map[int64]ticket.CustomerBrief{}, nil
}

type env struct {
	d       *db.DB
	now     time.Time
	svc     *messaging.Service
	tickets *ticket.Service
	cs      *customer.Service
	blobs   *blob.Store
	admin   authz.Actor
	agent   authz.Actor
}

const botToken = "123456:ABC-test"

func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{d: d, now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	now := func() time.Time { return e.now }
	box, err := secret.NewBox(make([]byte, secret.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	if e.blobs, err = blob.New(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	e.cs = customer.NewService(d, now)
	e.tickets = ticket.NewService(d, now, requesters{e.cs}, richtext.New())
	// The test servers listen on loopback: a plain client reaches them.
	e.svc = messaging.NewService(d, now, box, e.blobs, &http.Client{Timeout: 10 * time.Second}, e.tickets, e.cs, slog.New(slog.DiscardHandler))
	e.svc.MaxMedia = 1 << 10
	e.tickets.SetOutbox(e.svc)
	err = d.Write(ctx, func(tx *db.Tx) error {
		id, err := tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES ('admin@ombud.test', 'Admin', 'admin', 'offline', 1, 1)`)
		e.admin = authz.Actor{Kind: authz.KindAgent, ID: id, Role: authz.Admin, Name: "Admin"}
		if err != nil {
			return err
		}
		id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, availability, created_at, updated_at) VALUES ('ingrid@ombud.test', 'Ingrid', 'agent', 'online', 1, 1)`)
		e.agent = authz.Actor{Kind: authz.KindAgent, ID: id, Role: authz.Agent, Name: "Ingrid"}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func update(id int64, msg map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"update_id": id, "message": msg})
	return b
}

func tgMessage(id int64, extra map[string]any) map[string]any {
	m := map[string]any{"message_id": id, "date": 1772442000, "chat": map[string]any{"id": 4242, "type": "private"},
		"from": map[string]any{"id": 4242, "is_bot": false, "first_name": "Kari", "last_name": "Nordmann", "username": "kari_n"}}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// sendJobs runs the queued reply jobs once each, as the runner would.
func (e *env) sendJobs(t *testing.T) []error {
	t.Helper()
	ctx := context.Background()
	rows, err := e.d.QueryContext(ctx, `SELECT id, payload, attempts, max_attempts FROM jobs WHERE kind = ? AND state = 'queued' ORDER BY id`, messaging.JobSend)
	if err != nil {
		t.Fatal(err)
	}
	var js []jobs.Job
	for rows.Next() {
		var j jobs.Job
		var p []byte
		if err := rows.Scan(&j.ID, &p, &j.Attempts, &j.MaxAttempts); err != nil {
			t.Fatal(err)
		}
		j.Payload = p
		js = append(js, j)
	}
	rows.Close()
	var errs []error
	for _, j := range js {
		j.Attempts++
		err := e.svc.Send(ctx, j)
		errs = append(errs, err)
		state := "done"
		if err != nil {
			state = "queued"
			if jobs.IsPermanent(err) || j.Attempts >= j.MaxAttempts {
				state = "dead"
			}
		}
		if err := e.d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, attempts = ? WHERE id = ?`, state, j.Attempts, j.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	return errs
}

func (e *env) delivery(t *testing.T, ticketID, commentID int64) messaging.Delivery {
	t.Helper()
	ds, err := e.svc.Deliveries(context.Background(), e.agent, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.CommentID == commentID {
			return d
		}
	}
	t.Fatalf("no delivery of comment %d in %+v", commentID, ds)
	return messaging.Delivery{}
}

func (e *env) comments(t *testing.T, ticketID int64) []ticket.Comment {
	t.Helper()
	l, err := e.tickets.ListComments(context.Background(), e.admin, ticketID, page.Request{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return l.Data
}

func TestTelegram(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		tg := newFakeTelegram(t, botToken)
		tg.files["AgAD-photo"] = []byte("\xff\xd8\xff a small jpeg")
		tg.files["BQAD-big"] = []byte(strings.Repeat("x", 2<<10))

		_, err := e.svc.Create(ctx, e.admin, messaging.Input{Name: "Bot", Provider: "telegram", ReplyURL: tg.URL})
		if ae := apperr.As(err); ae == nil || ae.Fields["reply_token"] == "" {
			t.Fatalf("a Telegram integration without a bot token: %v", err)
		}
		if _, err := e.svc.Create(ctx, e.agent, messaging.Input{Name: "Bot", Provider: "telegram", ReplyToken: botToken}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("an agent adds an integration: %v", err)
		}
		it, err := e.svc.Create(ctx, e.admin, messaging.Input{Name: "Support bot", Provider: "telegram", ReplyURL: tg.URL, ReplyToken: botToken})
		if err != nil {
			t.Fatal(err)
		}
		if it.Secret == "" || !it.HasReplyToken || it.ReplyWindowHours != 0 || strings.ContainsAny(it.Secret, "+/=") {
			t.Fatalf("integration %+v", it)
		}

		if _, err := e.svc.ReceiveTelegram(ctx, it.ID, "wrong", update(1, tgMessage(1, map[string]any{"text": "hi"}))); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("a wrong secret token: %v", err)
		}
		first := update(10, tgMessage(1, map[string]any{"text": "My order has not arrived"}))
		r, err := e.svc.ReceiveTelegram(ctx, it.ID, it.Secret, first)
		if err != nil || r.TicketID == 0 || r.Duplicate {
			t.Fatalf("first message: %+v %v", r, err)
		}
		tk, err := e.tickets.Get(ctx, e.admin, r.TicketID)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != "social" || tk.Subject != "Telegram message from Kari Nordmann (@kari_n)" || tk.RequesterID != r.CustomerID {
			t.Fatalf("ticket %+v", tk)
		}
		c, err := e.cs.Get(ctx, e.admin, r.CustomerID)
		if err != nil || c.Name != "Kari Nordmann (@kari_n)" {
			t.Fatalf("customer %+v %v", c, err)
		}
		// Telegram sends an update again when it heard no 2xx.
		again, err := e.svc.ReceiveTelegram(ctx, it.ID, it.Secret, first)
		if err != nil || !again.Duplicate || again.TicketID != r.TicketID {
			t.Fatalf("repeated update: %+v %v", again, err)
		}
		// A photo (sizes smallest first) and a document too large to fetch.
		photo := update(11, tgMessage(2, map[string]any{"caption": "Here is the box", "photo": []map[string]any{
			{"file_id": "AgAD-small", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 10},
			{"file_id": "AgAD-photo", "file_unique_id": "p", "width": 800, "height": 800, "file_size": 20}},
			"document": map[string]any{"file_id": "BQAD-big", "file_name": "receipt.pdf", "mime_type": "application/pdf"}}))
		r2, err := e.svc.ReceiveTelegram(ctx, it.ID, it.Secret, photo)
		if err != nil || r2.TicketID != r.TicketID || r2.CustomerID != r.CustomerID {
			t.Fatalf("second message threads into the open ticket: %+v %v", r2, err)
		}
		cs := e.comments(t, r.TicketID)
		last := cs[len(cs)-1]
		if len(cs) != 2 || last.AuthorType != "customer" || !strings.Contains(last.Body, "Here is the box") ||
			!strings.Contains(last.Body, "Attachment not fetched: receipt.pdf (Telegram file id BQAD-big)") || strings.Contains(last.Body, botToken) {
			t.Fatalf("comments %+v", cs)
		}
		if len(last.Attachments) != 1 || last.Attachments[0].Filename != "photo.jpg" || last.Attachments[0].ContentType != "image/jpeg" {
			t.Fatalf("attachments %+v", last.Attachments)
		}
		f, err := e.blobs.Open(last.Attachments[0].SHA256)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		// Updates without a message are answered and ignored.
		ign, err := e.svc.ReceiveTelegram(ctx, it.ID, it.Secret, []byte(`{"update_id":12,"edited_message":{"message_id":1}}`))
		if err != nil || !ign.Ignored {
			t.Fatalf("edited message: %+v %v", ign, err)
		}

		// The agent's reply goes out through sendMessage, retried after a 500.
		tg.fail = 1
		reply, err := e.tickets.AddComment(ctx, e.agent, r.TicketID, ticket.CommentInput{Body: "It is on its way, Kari."})
		if err != nil {
			t.Fatal(err)
		}
		if d := e.delivery(t, r.TicketID, reply.ID); d.State != messaging.StateQueued {
			t.Fatalf("queued reply %+v", d)
		}
		if errs := e.sendJobs(t); len(errs) != 1 || errs[0] == nil || jobs.IsPermanent(errs[0]) {
			t.Fatalf("first try: %v", errs)
		}
		if d := e.delivery(t, r.TicketID, reply.ID); d.State != messaging.StateQueued || d.Attempts != 1 || !strings.Contains(d.Error, "500") {
			t.Fatalf("after a failed try %+v", d)
		}
		if errs := e.sendJobs(t); len(errs) != 1 || errs[0] != nil {
			t.Fatalf("second try: %v", errs)
		}
		sent := tg.sentMessages()
		if len(sent) != 1 || sent[0]["chat_id"] != "4242" || sent[0]["text"] != "It is on its way, Kari." {
			t.Fatalf("sent %v", sent)
		}
		if d := e.delivery(t, r.TicketID, reply.ID); d.State != messaging.StateSent {
			t.Fatalf("sent reply %+v", d)
		}
		// A delivery state on the neutral route names Telegram's message id.
		st := func(status string) messaging.Result {
			b, _ := json.Marshal(map[string]any{"type": "status", "message_id": "4242:1001", "status": status})
			sig, err := webhook.Sign(it.Secret, "st-"+status, e.now, b)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.svc.Receive(ctx, it.ID, messaging.Signature{ID: "st-" + status, Timestamp: strconv.FormatInt(e.now.Unix(), 10), Signature: sig}, b)
			if err != nil {
				t.Fatalf("status %s: %v", status, err)
			}
			return res
		}
		if res := st("delivered"); res.State != "delivered" || res.TicketID != r.TicketID {
			t.Fatalf("delivered: %+v", res)
		}
		if res := st("sent"); res.State != "delivered" {
			t.Fatalf("a late sent went back: %+v", res)
		}
		if d := e.delivery(t, r.TicketID, reply.ID); d.State != messaging.StateDelivered {
			t.Fatalf("delivered reply %+v", d)
		}
		// A solved ticket stays solved: the next message opens a new one.
		solved := ticket.StatusSolved
		if _, err := e.tickets.Update(ctx, e.admin, r.TicketID, ticket.Patch{Status: &solved}); err != nil {
			t.Fatal(err)
		}
		r3, err := e.svc.ReceiveTelegram(ctx, it.ID, it.Secret, update(13, tgMessage(3, map[string]any{"text": "One more thing"})))
		if err != nil || r3.TicketID == r.TicketID || r3.CustomerID != r.CustomerID {
			t.Fatalf("after solving: %+v %v", r3, err)
		}
	})
}

func TestNeutralWindowAndIdentity(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		var got []*http.Request
		var bodies [][]byte
		fail := false
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b := make([]byte, r.ContentLength)
			_, _ = r.Body.Read(b)
			got, bodies = append(got, r), append(bodies, b)
			if fail {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			fmt.Fprint(w, `{"message_id":"wamid.1"}`)
		}))
		defer srv.Close()
		media := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/gone" {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "image/png")
			fmt.Fprint(w, "\x89PNG small")
		}))
		defer media.Close()
		it, err := e.svc.Create(ctx, e.admin, messaging.Input{Name: "WhatsApp", Provider: "whatsapp", ReplyURL: srv.URL, ReplyToken: "wa-token"})
		if err != nil {
			t.Fatal(err)
		}
		if it.ReplyWindowHours != 24 {
			t.Fatalf("WhatsApp's default window: %+v", it)
		}
		// A known customer with the number the provider gives.
		known, err := e.cs.Create(ctx, e.admin, customer.CustomerInput{Name: "Ola Hansen", Phones: []string{"+4791234567"}})
		if err != nil {
			t.Fatal(err)
		}
		post := func(m map[string]any) (messaging.Result, error) {
			b, _ := json.Marshal(m)
			id := fmt.Sprintf("evt-%d", len(b))
			sig, err := webhook.Sign(it.Secret, id, e.now, b)
			if err != nil {
				t.Fatal(err)
			}
			return e.svc.Receive(ctx, it.ID, messaging.Signature{ID: id, Timestamp: strconv.FormatInt(e.now.Unix(), 10), Signature: sig}, b)
		}
		if _, err := e.svc.Receive(ctx, it.ID, messaging.Signature{ID: "x", Timestamp: strconv.FormatInt(e.now.Unix(), 10), Signature: "v1,AAAA"}, []byte(`{}`)); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("a bad signature: %v", err)
		}
		if _, err := post(map[string]any{"type": "message", "message_id": "m0"}); apperr.As(err) == nil || apperr.As(err).Fields["conversation_id"] == "" {
			t.Fatalf("a message without a conversation: %v", err)
		}
		r, err := post(map[string]any{"type": "message", "message_id": "wamid.in1", "conversation_id": "4791234567",
			"sender": map[string]any{"handle": "4791234567", "name": "Ola", "phone": "+47 912 34 567"}, "text": "Hello",
			"media": []map[string]any{{"url": media.URL + "/a.png", "mime_type": "image/png"}, {"url": media.URL + "/gone", "filename": "voice.ogg"}}})
		if err != nil {
			t.Fatal(err)
		}
		if r.CustomerID != known.ID {
			t.Fatalf("the handle is linked to the customer with the number: %+v, want customer %d", r, known.ID)
		}
		c, err := e.cs.Get(ctx, e.admin, known.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(fmt.Sprint(c.Identities), "whatsapp") {
			t.Fatalf("identities %+v", c.Identities)
		}
		cs := e.comments(t, r.TicketID)
		if len(cs) != 1 || len(cs[0].Attachments) != 1 || !strings.Contains(cs[0].Body, "Attachment not fetched: voice.ogg "+media.URL+"/gone") {
			t.Fatalf("comments %+v", cs)
		}
		w, err := e.svc.WindowOf(ctx, e.agent, r.TicketID)
		if err != nil || !w.Messaging || w.Closed || w.ClosesAt == nil || !w.ClosesAt.Equal(e.now.Add(24*time.Hour)) {
			t.Fatalf("window %+v %v", w, err)
		}
		reply, err := e.tickets.AddComment(ctx, e.agent, r.TicketID, ticket.CommentInput{Body: "Hi Ola"})
		if err != nil {
			t.Fatal(err)
		}
		if errs := e.sendJobs(t); len(errs) != 1 || errs[0] != nil {
			t.Fatalf("send: %v", errs)
		}
		if len(got) != 1 || got[0].Header.Get("Authorization") != "Bearer wa-token" {
			t.Fatalf("reply requests %v", got)
		}
		h := got[0].Header
		if err := webhook.Verify(it.Secret, h.Get("webhook-id"), h.Get("webhook-timestamp"), h.Get("webhook-signature"), bodies[0], e.now, time.Minute); err != nil {
			t.Fatalf("the reply's signature: %v", err)
		}
		var rp messaging.Reply
		if err := json.Unmarshal(bodies[0], &rp); err != nil || rp.Text != "Hi Ola" || rp.ConversationID != "4791234567" {
			t.Fatalf("reply %s %v", bodies[0], err)
		}
		if res, err := post(map[string]any{"type": "status", "message_id": "wamid.1", "status": "read"}); err != nil || res.State != "read" {
			t.Fatalf("read: %+v %v", res, err)
		}
		// A refused reply fails at once; its state says why.
		fail = true
		r2, err := e.tickets.AddComment(ctx, e.agent, r.TicketID, ticket.CommentInput{Body: "Anything else?"})
		if err != nil {
			t.Fatal(err)
		}
		if errs := e.sendJobs(t); len(errs) != 1 || !jobs.IsPermanent(errs[0]) {
			t.Fatalf("refused: %v", errs)
		}
		if d := e.delivery(t, r.TicketID, r2.ID); d.State != messaging.StateFailed || !strings.Contains(d.Error, "400") {
			t.Fatalf("refused reply %+v", d)
		}
		_ = reply
		// 25 hours later the window is closed: a reply is refused, a note is not.
		e.now = e.now.Add(25 * time.Hour)
		_, err = e.tickets.AddComment(ctx, e.agent, r.TicketID, ticket.CommentInput{Body: "Late reply"})
		if ae := apperr.As(err); ae == nil || ae.Fields["body"] != messaging.ErrWindowClosed {
			t.Fatalf("a reply outside the window: %v", err)
		}
		if _, err := e.tickets.AddComment(ctx, e.agent, r.TicketID, ticket.CommentInput{Body: "internal", Public: new(bool)}); err != nil {
			t.Fatalf("a note outside the window: %v", err)
		}
		if w, _ := e.svc.WindowOf(ctx, e.agent, r.TicketID); !w.Closed {
			t.Fatalf("window %+v", w)
		}
		// The customer writes again: the window opens again; a repeated
		// message id changes nothing.
		again := map[string]any{"type": "message", "message_id": "wamid.in2", "conversation_id": "4791234567", "sender": map[string]any{"handle": "4791234567"}, "text": "Still there?"}
		if _, err := post(again); err != nil {
			t.Fatal(err)
		}
		if res, err := post(again); err != nil || !res.Duplicate {
			t.Fatalf("repeat: %+v %v", res, err)
		}
		if w, _ := e.svc.WindowOf(ctx, e.agent, r.TicketID); w.Closed {
			t.Fatalf("window after a new message %+v", w)
		}
		if n := len(e.comments(t, r.TicketID)); n != 5 {
			t.Fatalf("%d comments", n)
		}
	})
}

func TestIntegrationsAdmin(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := context.Background()
		zero := 0
		it, err := e.svc.Create(ctx, e.admin, messaging.Input{Name: "Shop Instagram", Provider: "instagram", ReplyURL: "https://graph.example/reply", ReplyWindowHours: &zero})
		if err != nil || it.ReplyWindowHours != 0 {
			t.Fatalf("%+v %v", it, err)
		}
		if _, err := e.svc.Create(ctx, e.admin, messaging.Input{Name: "Shop Instagram", Provider: "instagram"}); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("same name: %v", err)
		}
		bad := -1
		_, err = e.svc.Create(ctx, e.admin, messaging.Input{Name: "", Provider: "fax", ReplyURL: "ftp://x", ReplyWindowHours: &bad})
		ae := apperr.As(err)
		if ae == nil || ae.Fields["name"] == "" || ae.Fields["provider"] == "" || ae.Fields["reply_url"] == "" || ae.Fields["reply_window_hours"] == "" {
			t.Fatalf("bad input: %v", err)
		}
		off := false
		up, err := e.svc.Update(ctx, e.admin, it.ID, messaging.Input{Name: "Instagram", Provider: "instagram", Active: &off})
		if err != nil || up.Active || up.Name != "Instagram" || up.ReplyWindowHours != 24 {
			t.Fatalf("update %+v %v", up, err)
		}
		rot, err := e.svc.RotateSecret(ctx, e.admin, it.ID)
		if err != nil || rot.Secret == "" || rot.Secret == it.Secret {
			t.Fatalf("rotate %+v %v", rot, err)
		}
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'messaging_integration.%'`).Scan(&n); err != nil || n != 3 {
			t.Fatalf("audit rows %d %v", n, err)
		}
		if err := e.svc.Delete(ctx, e.admin, it.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Get(ctx, e.admin, it.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("deleted: %v", err)
		}
	})
}

// TestSealSecretsRotate: after `ombud secrets rotate` the secret and the
// bot token open with the new key alone, so updates keep verifying.
func TestSealSecretsRotate(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d) // sealed with the all-zero key
		ctx := context.Background()
		it, err := e.svc.Create(ctx, e.admin, messaging.Input{Name: "Bot", Provider: "telegram", ReplyToken: botToken})
		if err != nil {
			t.Fatal(err)
		}
		newKey := make([]byte, secret.KeySize)
		newKey[0] = 1
		both, err := secret.NewBox(newKey, make([]byte, secret.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		now := func() time.Time { return e.now }
		log := slog.New(slog.DiscardHandler)
		tally, err := messaging.NewService(d, now, both, e.blobs, http.DefaultClient, e.tickets, e.cs, log).SealSecrets(ctx, true)
		if err != nil || tally.Sealed != 2 {
			t.Fatalf("rotate: %+v %v", tally, err)
		}
		only, _ := secret.NewBox(newKey)
		svc := messaging.NewService(d, now, only, e.blobs, http.DefaultClient, e.tickets, e.cs, log)
		if _, err := svc.ReceiveTelegram(ctx, it.ID, it.Secret, update(1, tgMessage(1, map[string]any{"text": "hi"}))); err != nil {
			t.Fatalf("after rotation: %v", err)
		}
	})
}
