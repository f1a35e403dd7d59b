package web_test

import (
	"fmt"
	"time"
)

// walkTraining adds a certification that grants a skill, assigns and
// completes it for agent, edits the skills matrix and runs an onboarding
// checklist for agent with an item me owns.
func (w *walk) walkTraining(me, agent int64) {
	f := fmt.Sprintf
	due := time.Now().UTC().AddDate(0, 0, 14).Format(time.DateOnly)
	c := idOf(w.t, w.do("POST /api/v1/training/courses", "", `{"title":"Billing basics","description":"Invoices and refunds","link":"https://learn.example.org/billing","validity_months":12,"skill":"product:billing"}`, 201))
	w.do("POST /api/v1/training/courses", "", `{"title":"","skill":"Billing"}`, 400)
	w.do("GET /api/v1/training/courses", "", nil, 200)
	a := idOf(w.t, w.do("POST /api/v1/training/assignments", "", f(`{"course_id":%d,"agent_id":%d,"due_on":%q}`, c, agent, due), 201))
	w.do("POST /api/v1/training/assignments", "", f(`{"course_id":%d,"agent_id":%d,"due_on":"soon"}`, c, agent), 400)
	w.do("POST /api/v1/training/assignments/{id}/status", f("/api/v1/training/assignments/%d/status", a), `{"status":"in_progress"}`, 200)
	w.do("POST /api/v1/training/assignments/{id}/status", f("/api/v1/training/assignments/%d/status", a), `{"status":"completed"}`, 200)
	w.do("GET /api/v1/training/assignments", "/api/v1/training/assignments?status=completed", nil, 200)
	w.do("GET /api/v1/training/assignments", f("/api/v1/training/assignments?agent_id=%d&format=csv", agent), nil, 200)
	w.do("GET /api/v1/training/matrix", "", nil, 200)
	w.do("POST /api/v1/training/matrix/{id}", f("/api/v1/training/matrix/%d", agent), `{"skill":"lang:sv","has":true}`, 204)
	w.do("POST /api/v1/training/matrix/{id}", f("/api/v1/training/matrix/%d", agent), `{"skill":"not a skill","has":true}`, 400)
	list := idOf(w.t, w.do("POST /api/v1/training/checklists", "", f(`{"name":"New agent","items":[{"title":"Laptop and accounts","owner_id":%d,"offset_days":0},{"title":"Read the style guide","owner_role":"new_hire","offset_days":3}]}`, me), 201))
	w.do("GET /api/v1/training/checklists", "", nil, 200)
	out := w.do("POST /api/v1/training/onboarding", "", f(`{"checklist_id":%d,"agent_id":%d,"start":%q}`, list, agent, due), 201)
	items, _ := out["data"].([]any)
	if len(items) != 2 {
		w.t.Fatalf("onboarding items: %v", out)
	}
	item := int64(items[0].(map[string]any)["id"].(float64))
	w.do("POST /api/v1/training/items/{id}/tick", f("/api/v1/training/items/%d/tick", item), nil, 200)
	w.do("GET /api/v1/training/onboarding/{id}", f("/api/v1/training/onboarding/%d", agent), nil, 200)
}
