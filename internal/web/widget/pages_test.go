package widget_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/chat"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestScriptSize: the widget stays small (≤ 30 KB gzipped) and names no
// other server to load anything from.
func TestScriptSize(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		res, err := http.Get(e.srv.URL + "/widget.js")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		src, _ := io.ReadAll(res.Body)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(src)
		_ = zw.Close()
		if buf.Len() > 30*1024 {
			t.Fatalf("widget.js is %d bytes gzipped, over 30 KB", buf.Len())
		}
		code := regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(string(src), "")
		if m := regexp.MustCompile(`https?://|//[a-z0-9-]+\.[a-z]`).FindString(code); m != "" {
			t.Fatalf("widget.js names another server: %q", m)
		}
		t.Logf("widget.js: %d bytes, %d gzipped", len(src), buf.Len())
	})
}

// TestPagesAndPrechat: the config carries the page patterns and the
// pre-chat form (without the topics' teams); the start enforces the form
// with a field error and accepts a JWT-identified visitor without a name or
// email.
func TestPagesAndPrechat(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		admin := authz.Actor{Kind: authz.KindAgent, ID: e.agent.ID, Role: authz.Admin}
		var team int64
		if err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			if team, err = tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES ('Shop', 1, 1)`); err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, team, e.agent.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		secret := "a-long-shared-secret-123"
		if _, err := e.svc.PutSettings(ctx, admin, chat.SettingsInput{Enabled: true, Color: "#112233", Position: "right", Languages: []string{"en", "nb"},
			MaxChats: 3, OfferSeconds: 30, IdentitySecret: &secret}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PutPageRules(ctx, admin, chat.PageRules{ShowOn: []string{"/shop/*"}, HideOn: []string{"/shop/checkout*"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PutPrechat(ctx, admin, chat.PrechatInput{Name: chat.FieldOptional, Topic: chat.FieldRequired,
			Topics: []chat.Topic{{Label: "Orders", TeamID: team}, {Label: "Other"}}}); err != nil {
			t.Fatal(err)
		}
		res, err := http.Get(e.srv.URL + "/widget/config?lang=nb")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var cfg struct {
			ShowOn  []string          `json:"show_on"`
			HideOn  []string          `json:"hide_on"`
			Prechat chat.Prechat      `json:"prechat"`
			Strings map[string]string `json:"strings"`
		}
		if err := json.Unmarshal(raw, &cfg); err != nil {
			t.Fatal(err)
		}
		if strings.Join(cfg.ShowOn, " ") != "/shop/*" || strings.Join(cfg.HideOn, " ") != "/shop/checkout*" || cfg.Prechat.Topic != "required" ||
			len(cfg.Prechat.Topics) != 2 || cfg.Prechat.Topics[0].TeamID != 0 || strings.Contains(string(raw), `"team_id"`) {
			t.Fatalf("config %s", raw)
		}
		if cfg.Strings["badTopic"] == "" || cfg.Strings["badTopic"] == "Please choose one of the topics." {
			t.Fatalf("untranslated widget strings %v", cfg.Strings)
		}

		page := "https://shop.example/shop/shoes"
		code, out, _ := e.post(t, "/widget/start", "https://shop.example", map[string]any{"email": "kari@kunde.example", "language": "nb", "page": page})
		if f, _ := out["error"].(map[string]any)["fields"].(map[string]any); code != 400 || f["topic"] != "is required" {
			t.Fatalf("no topic: %d %v", code, out)
		}
		code, out, _ = e.post(t, "/widget/start", "https://shop.example", map[string]any{"email": "kari@kunde.example", "topic": "Orders", "page": "https://shop.example/about"})
		if code != 409 {
			t.Fatalf("a page the widget is hidden on: %d %v", code, out)
		}
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"email": "vera@kunde.example", "name": "Vera",
			"exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}).SignedString([]byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		code, out, _ = e.post(t, "/widget/start", "https://shop.example", map[string]any{"topic": "Orders", "page": page, "identity": map[string]string{"jwt": tok}})
		if code != 201 {
			t.Fatalf("JWT visitor: %d %v", code, out)
		}
		conv := out["conversation"].(map[string]any)
		if conv["visitor_email"] != "vera@kunde.example" || conv["identified"] != true || conv["team_id"] != float64(team) {
			t.Fatalf("JWT visitor's chat %v", conv)
		}
		none := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + strings.Split(tok, ".")[1] + "."
		if code, out, _ = e.post(t, "/widget/start", "https://shop.example", map[string]any{"topic": "Orders", "identity": map[string]string{"jwt": none}}); code != 403 {
			t.Fatalf("alg none: %d %v", code, out)
		}
	})
}
