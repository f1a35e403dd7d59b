package chat_test

import (
	"strconv"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestConsoleAndSettingsPages: the console per role, the widget settings
// page, its validation and saving, on both engines.
func TestConsoleAndSettingsPages(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			admin, agent, collab := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Agent), webtest.SignIn(t, e, authz.Collaborator)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the console", Who: agent, Method: "GET", Path: "/chat", Status: 200,
					Want: []string{`id="chat-app"`, `id="offers"`, "No chats are waiting for you.", `href="/chat"`}},
				{Name: "the console's state", Who: agent, Method: "GET", Path: "/chat/state", Status: 200, Want: []string{`"offers":[]`, `"chats":[]`}},
				{Name: "collaborators do not chat", Who: collab, Method: "GET", Path: "/chat", Status: 403},
				{Name: "settings", Who: admin, Method: "GET", Path: "/admin/chat", Status: 200,
					Want: []string{`id="snippet"`, "/widget.js", `name="allowed_origins"`, `value="#1f6feb"`}},
				{Name: "a bad colour and site", Who: admin, Method: "POST", Path: "/admin/chat",
					Form: webtest.Vals("enabled", "on", "color", "blue", "position", "right", "languages", "nb", "allowed_origins", "not a site",
						"max_chats", "2", "offer_seconds", "20"), Status: 422,
					Want: []string{"must be a colour like #1f6feb", "each must be a site like https://shop.example"}},
				{Name: "saved", Who: admin, Method: "POST", Path: "/admin/chat",
					Form: webtest.Vals("enabled", "on", "color", "#aa3300", "position", "left", "languages", "nb", "languages", "sv",
						"allowed_origins", "https://Shop.example/", "max_chats", "2", "offer_seconds", "20"), Status: 303},
				{Name: "as saved", Who: admin, Method: "GET", Path: "/admin/chat?saved=1", Status: 200,
					Want: []string{`value="#aa3300"`, "https://shop.example", `<option value="left" selected>`}},
				{Name: "an agent's own limit out of range", Who: admin, Method: "POST", Path: "/admin/chat",
					Form: webtest.Vals("enabled", "on", "color", "#aa3300", "position", "left", "languages", "nb", "max_chats", "2", "offer_seconds", "20",
						"limit_"+itoa(e.Agents[authz.Agent].ID), "30"), Status: 422, Want: []string{"each must be 1 to 20 (empty: the default)"}},
				{Name: "an agent's own limit", Who: admin, Method: "POST", Path: "/admin/chat",
					Form: webtest.Vals("enabled", "on", "color", "#aa3300", "position", "left", "languages", "nb", "max_chats", "2", "offer_seconds", "20",
						"limit_"+itoa(e.Agents[authz.Agent].ID), "5", "match_skills", "on"), Status: 303},
				{Name: "the limit as saved", Who: admin, Method: "GET", Path: "/admin/chat", Status: 200,
					Want: []string{`name="limit_` + itoa(e.Agents[authz.Agent].ID) + `" type="number" min="1" max="20" value="5"`, `id="f-match_skills" name="match_skills" checked`}},
				{Name: "agents may not change them", Who: agent, Method: "POST", Path: "/admin/chat",
					Form: webtest.Vals("color", "#000000"), Status: 403},
			})
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
