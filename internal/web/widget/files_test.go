package widget_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

var png1x1 = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

// upload sends a file the way the script does (multipart: token,
// client_id, file); ctype is what the client claims the file is.
func (e *env) upload(t *testing.T, token, clientID, name, ctype string, content []byte) (int, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("token", token)
	_ = mw.WriteField("client_id", clientID)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename=%q`, name)}
	h["Content-Type"] = []string{ctype}
	fw, _ := mw.CreatePart(h)
	_, _ = fw.Write(content)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/widget/files", &b)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", "https://shop.example")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

// TestUploads: a visitor's image is acknowledged and shown to the agent
// and on the ticket; another visitor's token cannot read it; a file over
// the limit is 413, a program named .png is refused by its contents (415),
// an unknown token 401; uploads count against the visitor's limit.
func TestUploads(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		kari := e.start(t, "kari@kunde.example")
		ola := e.start(t, "ola@kunde.example")
		code, out := e.upload(t, kari, "f-1", "parcel.png", "image/png", png1x1)
		if code != 200 || out["type"] != "ack" {
			t.Fatalf("upload: %d %v", code, out)
		}
		m := out["message"].(map[string]any)
		f := m["file"].(map[string]any)
		id := int64(f["id"].(float64))
		if f["type"] != "image/png" || f["name"] != "parcel.png" || m["kind"] != "file" {
			t.Fatalf("file message %v", m)
		}
		// The agent's view of the chat carries the file.
		c, err := e.svc.ConsoleFor(ctx, e.agent)
		if err != nil || len(c.Offers) != 2 && len(c.Offers) != 1 {
			t.Fatalf("console: %+v %v", c, err)
		}
		admin := authz.Actor{Kind: authz.KindAgent, ID: e.agent.ID, Role: authz.Admin}
		v, err := e.svc.View(ctx, admin, c.Offers[0].ConversationID, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := v.Messages[len(v.Messages)-1]
		if last.File == nil || last.File.ID != id {
			t.Fatalf("agent view: %+v", last)
		}
		// Opening: the owner gets the bytes, safely typed; another
		// visitor's token gets not found.
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/widget/files/%d", e.srv.URL, id), strings.NewReader(`{"token":"`+kari+`"}`))
		req.Header.Set("Content-Type", "text/plain")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !bytes.Equal(got, png1x1) || res.Header.Get("Content-Type") != "image/png" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("open: %d %q %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(got))
		}
		if code, _, _ := e.post(t, fmt.Sprintf("/widget/files/%d", id), "", map[string]any{"token": ola}); code != 404 {
			t.Fatalf("another visitor's token opened the file: %d", code)
		}
		if code, _, _ := e.post(t, fmt.Sprintf("/widget/files/%d", id), "", map[string]any{}); code != 401 {
			t.Fatalf("no token: %d", code)
		}
		if code, out := e.upload(t, "forged-token", "f-2", "a.png", "image/png", png1x1); code != 401 {
			t.Fatalf("unknown token upload: %d %v", code, out)
		}
		// A program claiming to be an image.
		if code, out := e.upload(t, kari, "f-3", "cat.png", "image/png", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00")); code != 415 {
			t.Fatalf("disguised type: %d %v", code, out)
		}
		// Over the limit: 1 MB allowed, 1 MB + 1 byte of text sent.
		st, _ := e.svc.Settings(ctx)
		if _, err := e.svc.PutSettings(ctx, admin, chat.SettingsInput{Enabled: true, Color: st.Color, Position: st.Position, Languages: st.Languages,
			MaxChats: st.MaxChats, OfferSeconds: st.OfferSeconds, UseHours: false, UploadTypes: []string{"image", "text"}, UploadMaxMB: 1}); err != nil {
			t.Fatal(err)
		}
		if code, out := e.upload(t, kari, "f-4", "big.txt", "text/plain", bytes.Repeat([]byte("a"), 1<<20+1)); code != 413 {
			t.Fatalf("oversize: %d %v", code, out)
		}
		if code, out := e.upload(t, kari, "f-5", "a.pdf", "application/pdf", []byte("%PDF-1.4\n")); code != 415 {
			t.Fatalf("pdf not allowed: %d %v", code, out)
		}
		// Not multipart at all.
		if code, _, _ := e.post(t, "/widget/files", "", map[string]any{"token": kari}); code != 415 {
			t.Fatalf("json upload: %d", code)
		}
		// Uploads count against the visitor's per-minute limit.
		limited := false
		for i := 0; i < 70 && !limited; i++ {
			code, _ := e.upload(t, ola, fmt.Sprintf("r-%d", i), "n.txt", "text/plain", []byte("note"))
			limited = code == 429
		}
		if !limited {
			t.Fatal("uploads were never rate limited")
		}
	})
}

// TestInvitationConfig: invitation rules reach the widget's config only
// while a chat would reach someone, and the widget's reports count.
func TestInvitationConfig(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		admin := authz.Actor{Kind: authz.KindAgent, ID: e.agent.ID, Role: authz.Admin}
		st, _ := e.svc.Settings(ctx)
		if _, err := e.svc.PutSettings(ctx, admin, chat.SettingsInput{Enabled: true, Color: st.Color, Position: st.Position, Languages: st.Languages,
			MaxChats: st.MaxChats, OfferSeconds: st.OfferSeconds, UseHours: false}); err != nil {
			t.Fatal(err)
		}
		v, err := e.svc.CreateInvitation(ctx, admin, chat.InvitationInput{Name: "Checkout", MinSeconds: 1, URLPattern: "/checkout*",
			Messages: map[string]string{"en": "Questions about your order?", "sv": "Frågor om din beställning?"}})
		if err != nil {
			t.Fatal(err)
		}
		cfg := func() map[string]any {
			res, err := http.Get(e.srv.URL + "/widget/config?lang=sv")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var out map[string]any
			_ = json.NewDecoder(res.Body).Decode(&out)
			return out
		}
		invs := cfg()["invitations"].([]any)
		if len(invs) != 1 || invs[0].(map[string]any)["message"] != "Frågor om din beställning?" {
			t.Fatalf("invitations %v", invs)
		}
		if code, _, _ := e.post(t, fmt.Sprintf("/widget/invitations/%d", v.ID), "https://shop.example", map[string]any{"event": "shown"}); code != 204 {
			t.Fatalf("shown: %d", code)
		}
		if code, _, _ := e.post(t, fmt.Sprintf("/widget/invitations/%d", v.ID), "", map[string]any{"event": "bogus"}); code != 400 {
			t.Fatalf("bogus event: %d", code)
		}
		got, _ := e.svc.Invitation(ctx, admin, v.ID)
		if got.Shown != 1 {
			t.Fatalf("shown count %d", got.Shown)
		}
		// Nobody available: no invitations.
		if err := d.Write(ctx, func(tx *db.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE agents SET availability = 'offline'`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if c := cfg(); c["can_chat"] != false || len(c["invitations"].([]any)) != 0 {
			t.Fatalf("offline config: %v %v", c["can_chat"], c["invitations"])
		}
	})
}
