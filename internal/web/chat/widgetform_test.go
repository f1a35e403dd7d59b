package chat_test

import (
	"context"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestWidgetPagesAndPrechatForms: the admin sets the pages the widget
// appears on and the pre-chat form with its topics on the settings page
// (refused patterns and topics shown again with what is wrong); agents may not.
func TestWidgetPagesAndPrechatForms(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			ctx := context.Background()
			admin, agent := webtest.SignIn(t, e, authz.Admin), webtest.SignIn(t, e, authz.Agent)
			webtest.RunPages(t, []webtest.PageCase{
				{Name: "the forms", Who: admin, Method: "GET", Path: "/admin/chat", Status: 200,
					Want: []string{`action="/admin/chat/pages"`, `action="/admin/chat/prechat"`, `id="c-topic-0"`, `id="c-topic-2"`, "Pages the widget appears on",
						`<option value="required" selected>Required</option>`}},
				{Name: "a bad pattern", Who: admin, Method: "POST", Path: "/admin/chat/pages", Form: webtest.Vals("show_on", "/shop/*\n/a b", "hide_on", "/x"), Status: 422,
					Want: []string{"Check the settings.", "must be a URL or path pattern without spaces", "/a b"}},
				{Name: "agents may not", Who: agent, Method: "POST", Path: "/admin/chat/pages", Form: webtest.Vals("show_on", "/shop/*"), Status: 403},
				{Name: "pages saved", Who: admin, Method: "POST", Path: "/admin/chat/pages", Form: webtest.Vals("show_on", "/shop/*\n\n/help*", "hide_on", "/shop/checkout*"),
					Status: 303, Location: "/admin/chat?saved=1#pages"},
				{Name: "a duplicate topic", Who: admin, Method: "POST", Path: "/admin/chat/prechat",
					Form: webtest.Vals("name", "required", "topic", "optional", "topic_label_0", "Orders", "topic_label_1", "orders"), Status: 422,
					Want: []string{"is already a topic", `value="orders"`}},
				{Name: "a bad mode", Who: admin, Method: "POST", Path: "/admin/chat/prechat", Form: webtest.Vals("name", "maybe", "topic", "optional"), Status: 422,
					Want: []string{"must be hidden, optional or required"}},
				{Name: "agents may not change the form", Who: agent, Method: "POST", Path: "/admin/chat/prechat", Form: webtest.Vals("name", "optional", "topic", "optional"), Status: 403},
				{Name: "form saved", Who: admin, Method: "POST", Path: "/admin/chat/prechat",
					Form: webtest.Vals("name", "required", "topic", "required", "topic_label_0", "Orders", "topic_label_2", "Returns"), Status: 303, Location: "/admin/chat?saved=1#prechat"},
				{Name: "as saved", Who: admin, Method: "GET", Path: "/admin/chat?saved=1", Status: 200,
					Want: []string{"/shop/*\n/help*", `value="Orders"`, `value="Returns"`, `id="c-topic-4"`}},
			})
			ad := e.Agents[authz.Admin]
			actor := authz.Actor{Kind: authz.KindAgent, ID: ad.ID, Role: authz.Admin}
			p, err := e.Sys.Chat.PrechatFor(ctx, actor)
			if err != nil || p.Name != "required" || len(p.Topics) != 2 {
				t.Fatalf("stored form %+v %v", p, err)
			}
			pr, err := e.Sys.Chat.PageRulesFor(ctx, actor)
			if err != nil || len(pr.ShowOn) != 2 || len(pr.HideOn) != 1 {
				t.Fatalf("stored pages %+v %v", pr, err)
			}
		})
	}
}
