package journey_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/dbtest"
)

// chatPassword is the password of chatDesk's two users.
const chatPassword = "browser-pass-7"

// chatDesk starts a server on engine with the chat journeys' team: Lea
// Lead (admin, lead@ombud.test) and Ingrid (agent, ingrid@ombud.test,
// online so chats are offered to her). It returns the server, the lead's
// API token and Ingrid's id.
func chatDesk(t *testing.T, engine string) (s *server, tok string, ingrid int64) {
	t.Helper()
	env := map[string]string{"OMBUD_DATA": dbtest.MigratedSQLiteDir(t), "OMBUD_LOG_LEVEL": "warn"}
	if engine == "postgres" {
		env["OMBUD_DATABASE_URL"] = dbtest.NewMigratedPostgresDatabase(t)
	}
	for _, u := range [][]string{{"lead@ombud.test", "Lea Lead", "admin"}, {"ingrid@ombud.test", "Ingrid", "agent"}} {
		if code, _, er := run(t, env, "user", "create", "--email", u[0], "--name", u[1], "--role", u[2], "--password", chatPassword); code != 0 {
			t.Fatal(er)
		}
	}
	_, tok, _ = run(t, env, "token", "create", "--email", "lead@ombud.test")
	tok = strings.TrimSpace(tok)
	s = serve(t, env)
	_, agents := api(t, "GET", s.url+"/api/v1/agents?limit=100", tok, nil)
	for _, a := range agents["data"].([]any) {
		if m := a.(map[string]any); m["email"] == "ingrid@ombud.test" {
			ingrid = int64(m["id"].(float64))
		}
	}
	if code, body := api(t, "PUT", fmt.Sprintf("%s/api/v1/agents/%d/availability", s.url, ingrid), tok, map[string]any{"availability": "online"}); code != 200 {
		t.Fatalf("online: %d %v", code, body)
	}
	return s, tok, ingrid
}
