package chat_test

import (
	"context"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

func TestPrechatForm(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		var team int64
		err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			team, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('Returns', 1, 1)`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.svc.Prechat(ctx); got.Name != chat.FieldOptional || got.Topic != chat.FieldRequired || got.Email != chat.FieldRequired {
			t.Fatalf("defaults %+v", got)
		}
		refusals := []struct {
			name  string
			in    chat.PrechatInput
			field string
		}{
			{"bad mode", chat.PrechatInput{Name: "sometimes", Topic: chat.FieldRequired}, "name"},
			{"no topic mode", chat.PrechatInput{Name: chat.FieldOptional}, "topic"},
			{"duplicate topic", chat.PrechatInput{Name: chat.FieldOptional, Topic: chat.FieldRequired, Topics: []chat.Topic{{Label: "Orders"}, {Label: "orders"}}}, "topics.1.label"},
			{"no such team", chat.PrechatInput{Name: chat.FieldOptional, Topic: chat.FieldRequired, Topics: []chat.Topic{{Label: "Orders", TeamID: 4242}}}, "topics.0.team_id"},
		}
		for _, r := range refusals {
			_, err := e.svc.PutPrechat(ctx, admin(e), r.in)
			if ae := apperr.As(err); ae.Code != apperr.CodeInvalid || ae.Fields[r.field] == "" {
				t.Errorf("%s: %v, want a problem with %s", r.name, err, r.field)
			}
		}
		if _, err := e.svc.PutPrechat(ctx, e.a, chat.PrechatInput{Name: chat.FieldOptional, Topic: chat.FieldOptional}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("agent changed the form: %v", err)
		}
		if _, err := e.svc.PutPrechat(ctx, admin(e), chat.PrechatInput{Name: chat.FieldRequired, Topic: chat.FieldRequired,
			Topics: []chat.Topic{{Label: "Orders"}, {Label: " Returns  and refunds ", TeamID: team}, {Label: ""}}}); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.PrechatFor(ctx, admin(e))
		if err != nil || len(got.Topics) != 2 || got.Topics[1].Label != "Returns and refunds" || got.Topics[1].TeamID != team {
			t.Fatalf("stored %+v %v", got, err)
		}

		start := func(in chat.StartInput) (chat.Started, error) {
			in.Language = "en"
			return e.svc.Start(ctx, in)
		}
		for _, r := range []struct {
			name  string
			in    chat.StartInput
			field string
		}{
			{"no name", chat.StartInput{Email: "kari@kunde.example", Topic: "Orders"}, "name"},
			{"no topic", chat.StartInput{Name: "Kari", Email: "kari@kunde.example"}, "topic"},
			{"topic not listed", chat.StartInput{Name: "Kari", Email: "kari@kunde.example", Topic: "Anything"}, "topic"},
			{"no email", chat.StartInput{Name: "Kari", Topic: "Orders"}, "email"},
		} {
			_, err := start(r.in)
			if ae := apperr.As(err); ae.Code != apperr.CodeInvalid || ae.Fields[r.field] == "" {
				t.Errorf("%s: %v, want a problem with %s", r.name, err, r.field)
			}
		}
		s, err := start(chat.StartInput{Name: "Kari", Email: "kari@kunde.example", Topic: "returns and refunds"})
		if err != nil {
			t.Fatal(err)
		}
		if s.Conversation.TeamID != team || s.Conversation.Topic != "Returns and refunds" {
			t.Fatalf("topic routing %+v", s.Conversation)
		}
		tk, err := e.tickets.Get(ctx, admin(e), s.Conversation.TicketID)
		if err != nil || tk.TeamID == nil || *tk.TeamID != team {
			t.Fatalf("ticket team %+v %v", tk, err)
		}

		// An identified visitor (JWT) is not asked for a name or email; the
		// required topic still is.
		secret := "a-long-shared-secret-123"
		st, _ := e.svc.SettingsFor(ctx, admin(e))
		if _, err := e.svc.PutSettings(ctx, admin(e), chat.SettingsInput{Enabled: true, Color: st.Color, Position: st.Position, Languages: st.Languages,
			MaxChats: 3, OfferSeconds: 30, IdentitySecret: &secret}); err != nil {
			t.Fatal(err)
		}
		tok := signJWT(t, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"email": "vera@kunde.example", "name": "Vera", "exp": e.clk.now().Add(time.Hour).Unix()})
		if _, err := start(chat.StartInput{Identity: &chat.Identity{JWT: tok}}); apperr.As(err).Fields["topic"] == "" {
			t.Fatalf("identified without a topic: %v", err)
		}
		s, err = start(chat.StartInput{Topic: "Orders", Identity: &chat.Identity{JWT: tok}})
		if err != nil {
			t.Fatal(err)
		}
		if !s.Conversation.Identified || s.Conversation.VisitorEmail != "vera@kunde.example" || s.Conversation.VisitorName != "Vera" {
			t.Fatalf("identified %+v", s.Conversation)
		}
		bad := signJWT(t, jwt.SigningMethodHS256, []byte("not-the-widget-secret"), jwt.MapClaims{"email": "vera@kunde.example", "exp": e.clk.now().Add(time.Hour).Unix()})
		if _, err := start(chat.StartInput{Topic: "Orders", Identity: &chat.Identity{JWT: bad}}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("forged token: %v", err)
		}

		// Hidden fields are not asked: the chat starts with the email only.
		if _, err := e.svc.PutPrechat(ctx, admin(e), chat.PrechatInput{Name: chat.FieldHidden, Topic: chat.FieldHidden}); err != nil {
			t.Fatal(err)
		}
		s, err = start(chat.StartInput{Name: "Ignored", Email: "ola@kunde.example", Topic: "ignored too"})
		if err != nil {
			t.Fatal(err)
		}
		if s.Conversation.VisitorName != "" || s.Conversation.Topic != "" {
			t.Fatalf("hidden fields kept %+v", s.Conversation)
		}
	})
}
