package chat_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/blob"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/page"
)

// pngBytes is a 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

func TestSniff(t *testing.T) {
	for _, c := range []struct {
		name, head, kind, ctype string
	}{
		{"png", string(pngBytes), "image", "image/png"},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF", "image", "image/jpeg"},
		{"gif", "GIF89a\x01\x00", "image", "image/gif"},
		{"webp", "RIFF\x00\x00\x00\x00WEBPVP8 ", "image", "image/webp"},
		{"pdf", "%PDF-1.7\n", "pdf", "application/pdf"},
		{"text", "Order 1234\nThanks — Kari\n", "text", "text/plain"},
		{"executable", "MZ\x90\x00\x03\x00\x00\x00", "", ""},
		{"zip", "PK\x03\x04\x14\x00", "", ""},
		{"nul", "abc\x00def", "", ""},
		{"empty", "", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			k, ct := chat.Sniff([]byte(c.head))
			if k != c.kind || ct != c.ctype {
				t.Fatalf("Sniff = %q %q, want %q %q", k, ct, c.kind, c.ctype)
			}
		})
	}
}

func withBlobs(t *testing.T, e *env) *blob.Store {
	t.Helper()
	b, err := blob.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e.svc.SetBlobs(b)
	e.tickets.SetBlobs(b)
	return b
}

// TestFiles: a visitor's image becomes a file message and an attachment
// of a comment on the chat's ticket; the agent sends one back; only the
// visitor's own token opens their files; a resend is a no-op; the type
// is sniffed from the contents and the size limit holds.
func TestFiles(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		withBlobs(t, e)
		s := e.start(t, "kari@kunde.example")
		other := e.start(t, "ola@kunde.example")
		m, err := e.svc.VisitorFile(ctx, s.Token, chat.FileInput{ClientID: "f-1", Name: "../parcel.png", Body: bytes.NewReader(pngBytes)})
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind != chat.KindFile || m.File == nil || m.File.Name != "parcel.png" || m.File.Type != "image/png" || m.File.Size != int64(len(pngBytes)) {
			t.Fatalf("file message %+v %+v", m, m.File)
		}
		again, err := e.svc.VisitorFile(ctx, s.Token, chat.FileInput{ClientID: "f-1", Name: "parcel.png", Body: bytes.NewReader(pngBytes)})
		if err != nil || again.Seq != m.Seq || again.File == nil || again.File.ID != m.File.ID {
			t.Fatalf("resend: %+v %v", again, err)
		}
		cs, err := e.tickets.ListComments(ctx, e.a, s.Conversation.TicketID, pageAll())
		if err != nil {
			t.Fatal(err)
		}
		last := cs.Data[len(cs.Data)-1]
		if len(last.Attachments) != 1 || last.Attachments[0].ID != m.File.ID || last.AuthorType != "customer" {
			t.Fatalf("ticket comment %+v", last)
		}
		// The file opens for its visitor only.
		f, r, err := e.svc.VisitorOpenFile(ctx, s.Token, m.File.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		r.Close()
		if !bytes.Equal(got, pngBytes) || f.Name != "parcel.png" {
			t.Fatalf("opened %q %d bytes", f.Name, len(got))
		}
		if _, _, err := e.svc.VisitorOpenFile(ctx, other.Token, m.File.ID); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("another visitor's token opened the file: %v", err)
		}
		if _, err := e.svc.VisitorFile(ctx, "not-a-token", chat.FileInput{ClientID: "f-2", Name: "x.png", Body: bytes.NewReader(pngBytes)}); !apperr.Is(err, apperr.CodeUnauthenticated) {
			t.Fatalf("unknown token: %v", err)
		}
		// A program renamed to .png is refused by its contents.
		if _, err := e.svc.VisitorFile(ctx, s.Token, chat.FileInput{ClientID: "f-3", Name: "cat.png", Body: strings.NewReader("MZ\x90\x00\x03\x00\x00\x00")}); !apperr.Is(err, apperr.CodeUnsupported) {
			t.Fatalf("disguised type: %v", err)
		}
		// Settings: text only, 1 MB.
		st, _ := e.svc.Settings(ctx)
		admin := adminActor()
		if _, err := e.svc.PutSettings(ctx, admin, chat.SettingsInput{Enabled: true, Color: st.Color, Position: st.Position, Languages: st.Languages,
			MaxChats: st.MaxChats, OfferSeconds: st.OfferSeconds, UploadTypes: []string{"text"}, UploadMaxMB: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.VisitorFile(ctx, s.Token, chat.FileInput{ClientID: "f-4", Name: "p.png", Body: bytes.NewReader(pngBytes)}); !apperr.Is(err, apperr.CodeUnsupported) {
			t.Fatalf("image with text only: %v", err)
		}
		big := strings.Repeat("a", 1<<20+1)
		if _, err := e.svc.VisitorFile(ctx, s.Token, chat.FileInput{ClientID: "f-5", Name: "big.txt", Body: strings.NewReader(big)}); !apperr.Is(err, apperr.CodeTooLarge) {
			t.Fatalf("oversize: %v", err)
		}
		if _, err := e.svc.PutSettings(ctx, admin, chat.SettingsInput{Enabled: true, Color: st.Color, Position: st.Position, Languages: st.Languages,
			MaxChats: st.MaxChats, OfferSeconds: st.OfferSeconds, UploadTypes: []string{"video"}, UploadMaxMB: 100}); !apperr.Is(err, apperr.CodeInvalid) {
			t.Fatalf("bad upload settings: %v", err)
		}
		// The agent sends a file from the console.
		if _, err := e.svc.Accept(ctx, e.a, e.offerID(t, e.a)); err != nil {
			t.Fatal(err)
		}
		am, err := e.svc.AgentFile(ctx, e.a, s.Conversation.ID, chat.FileInput{ClientID: "a-1", Name: "label.txt", Body: strings.NewReader("Return label: 42")})
		if err != nil {
			t.Fatal(err)
		}
		if am.Author != chat.AuthorAgent || am.File == nil || am.File.Type != "text/plain" {
			t.Fatalf("agent file %+v", am)
		}
		if _, err := e.svc.AgentFile(ctx, e.b, s.Conversation.ID, chat.FileInput{ClientID: "b-1", Name: "x.txt", Body: strings.NewReader("x")}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("another agent's chat: %v", err)
		}
		_, ms, err := e.svc.Resume(ctx, s.Token, 0)
		if err != nil {
			t.Fatal(err)
		}
		files := 0
		for _, x := range ms {
			if x.File != nil {
				files++
			}
		}
		if files != 2 {
			t.Fatalf("%d file messages, want 2", files)
		}
	})
}

func pageAll() page.Request { return page.Request{Limit: 100} }

func adminActor() authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: 0, Role: authz.Admin, Name: "Admin"}
}
