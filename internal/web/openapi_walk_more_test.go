package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// nextWeekday is the date (YYYY-MM-DD) of the first day of week wd at
// least a week from now, so that schedules and requests are in the future.
func nextWeekday(wd time.Weekday) string {
	d := time.Now().UTC().AddDate(0, 0, 7)
	for d.Weekday() != wd {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format(time.DateOnly)
}

// walkWorkforce puts the caller (me) and agent on the schedule and walks
// schedules, time off, swaps, coverage and adherence.
func (w *walk) walkWorkforce(me, agent int64) {
	f := fmt.Sprintf
	day := `{"start":"09:00","end":"17:00","break_start":"12:00","break_minutes":30}`
	pattern := `{"days":[` + day + `,` + day + `,` + day + `,` + day + `,` + day + `,null,null]}`
	w.do("PUT /api/v1/schedules/{id}/pattern", f("/api/v1/schedules/%d/pattern", me), pattern, 200)
	w.do("PUT /api/v1/schedules/{id}/pattern", f("/api/v1/schedules/%d/pattern", agent), pattern, 200)
	w.do("GET /api/v1/schedules/{id}/pattern", f("/api/v1/schedules/%d/pattern", agent), nil, 200)
	tue, wed, thu := nextWeekday(time.Tuesday), nextWeekday(time.Wednesday), nextWeekday(time.Thursday)
	w.do("PUT /api/v1/schedules/{id}/days/{date}", f("/api/v1/schedules/%d/days/%s", agent, tue), f(`{"date":%q,"shift":{"start":"10:00","end":"18:00","break_start":"13:00","break_minutes":30},"note":"dentist in the morning"}`, tue), 204)
	w.do("GET /api/v1/schedules", "/api/v1/schedules?days=7&from="+nextWeekday(time.Monday), nil, 200)
	w.do("DELETE /api/v1/schedules/{id}/days/{date}", f("/api/v1/schedules/%d/days/%s", agent, tue), nil, 204)

	off := idOf(w.t, w.do("POST /api/v1/time-off", "", f(`{"agent_id":%d,"from":%q,"to":%q,"reason":"family visit"}`, agent, thu, thu), 201))
	w.do("POST /api/v1/time-off/{id}/decision", f("/api/v1/time-off/%d/decision", off), `{"status":"approved"}`, 200)
	w.do("POST /api/v1/time-off/{id}/cancel", f("/api/v1/time-off/%d/cancel", off), nil, 200)
	w.do("GET /api/v1/time-off", "/api/v1/time-off?status=cancelled", nil, 200)
	w.do("GET /api/v1/time-off", "", nil, 200)

	swap := idOf(w.t, w.do("POST /api/v1/swaps", "", f(`{"requester_id":%d,"partner_id":%d,"date":%q,"note":"school play"}`, agent, me, wed), 201))
	w.do("POST /api/v1/swaps/{id}/decision", f("/api/v1/swaps/%d/decision", swap), `{"status":"approved"}`, 200)
	w.do("GET /api/v1/swaps", "", nil, 200)

	week := nextWeekday(time.Monday)
	w.do("GET /api/v1/coverage", "/api/v1/coverage?channel=email&aht=600&level=0.8&seconds=3600&week="+week, nil, 200)
	w.do("GET /api/v1/coverage/proposal", "/api/v1/coverage/proposal?week="+week, nil, 200)
	w.do("GET /api/v1/budget/rates", "", nil, 200)
	w.do("PUT /api/v1/budget/rates", "", f(`{"currency":"NOK","roles":{"agent":250,"manager":320.5},"agents":[{"agent_id":%d,"hourly_rate":280}],"handle_times":{"email":540}}`, agent), 200)
	w.do("GET /api/v1/budget/projection", "/api/v1/budget/projection?days=7&from="+week, nil, 200)
	w.do("GET /api/v1/budget/what-if", "/api/v1/budget/what-if?weeks=1&what_if_level=90&volume_change=20", nil, 200)
	w.do("GET /api/v1/budget/headcount", "/api/v1/budget/headcount?weeks=1&months=6&attrition=3&lead_weeks=4", nil, 200)
	w.do("GET /api/v1/budget/actual", "/api/v1/budget/actual?month=2026-01&format=json", nil, 200)
	w.do("GET /api/v1/adherence", "/api/v1/adherence?date="+time.Now().UTC().Format(time.DateOnly), nil, 200)
}

// walkNPS creates, changes and runs an NPS campaign.
func (w *walk) walkNPS(org int64) {
	f := fmt.Sprintf
	w.do("GET /api/v1/nps/settings", "", nil, 200)
	w.do("PUT /api/v1/nps/settings", "", `{"throttle_days":90}`, 200)
	start := time.Now().UTC().Add(time.Hour).Format(time.RFC3339)
	c := idOf(w.t, w.do("POST /api/v1/nps/campaigns", "", f(`{"name":"Quarterly NPS","segment":{"organization_id":%d,"contact_days":90,"language":"nb"},"start_at":%q,"repeat_days":90,
		"questions":{"en":"How likely are you to recommend us to a friend?","nb":"Hvor sannsynlig er det at du vil anbefale oss til en venn?"}}`, org, start), 201))
	w.do("GET /api/v1/nps/campaigns", "", nil, 200)
	w.do("GET /api/v1/nps/campaigns/{id}", f("/api/v1/nps/campaigns/%d", c), nil, 200)
	w.do("PATCH /api/v1/nps/campaigns/{id}", f("/api/v1/nps/campaigns/%d", c), `{"repeat_days":30}`, 200)
	w.do("POST /api/v1/nps/campaigns/{id}/run", f("/api/v1/nps/campaigns/%d/run", c), nil, 202)
	w.do("GET /api/v1/nps/results", "/api/v1/nps/results?from=2026-01-01&to=2026-12-31&bucket=month", nil, 200)
	w.do("GET /api/v1/nps/results", f("/api/v1/nps/results?from=2026-01-01&to=2026-12-31&campaign_id=%d", c), nil, 200)
}

// walkQA reviews agent's work on two tickets: one acknowledged, one
// disputed and resolved. agentToken is the agent's API token.
func (w *walk) walkQA(agent int64, agentToken string) {
	f := fmt.Sprintf
	sc := w.do("POST /api/v1/qa/scorecards", "", `{"name":"Email quality","description":"for the email queue","channel":"email","categories":[
		{"name":"Tone","description":"friendly and clear","weight":2,"scale":"five"},
		{"name":"Correct answer","weight":3,"scale":"binary","critical":true}]}`, 201)
	card := idOf(w.t, sc)
	cats, _ := sc["categories"].([]any)
	if len(cats) != 2 {
		w.t.Fatalf("scorecard categories: %v", sc)
	}
	c1 := int64(cats[0].(map[string]any)["id"].(float64))
	c2 := int64(cats[1].(map[string]any)["id"].(float64))
	w.do("GET /api/v1/qa/scorecards", "/api/v1/qa/scorecards?all=true", nil, 200)
	w.do("GET /api/v1/qa/scorecards/{id}", f("/api/v1/qa/scorecards/%d", card), nil, 200)
	sc = w.do("PUT /api/v1/qa/scorecards/{id}", f("/api/v1/qa/scorecards/%d", card), f(`{"name":"Email quality","description":"for the email queue","channel":"email","categories":[
		{"id":%d,"name":"Tone","description":"friendly, clear and brief","weight":2,"scale":"five"},
		{"id":%d,"name":"Correct answer","weight":3,"scale":"binary","critical":true}]}`, c1, c2), 200)
	// Replacing gives the categories new ids.
	card = idOf(w.t, sc)
	cats, _ = sc["categories"].([]any)
	if len(cats) != 2 {
		w.t.Fatalf("scorecard categories: %v", sc)
	}
	c1 = int64(cats[0].(map[string]any)["id"].(float64))
	c2 = int64(cats[1].(map[string]any)["id"].(float64))
	review := func() int64 {
		tk := idOf(w.t, w.do("POST /api/v1/tickets", "", f(`{"subject":"Invoice copy","description":"Please send the invoice again.","requester":{"email":"qa@fjordwalk.example"},"channel":"email","assignee_id":%d}`, agent), 201))
		r := w.do("POST /api/v1/qa/reviews", "", f(`{"ticket_id":%d,"scorecard_id":%d}`, tk, card), 201)
		id := idOf(w.t, r)
		body := f(`{"ratings":[{"category_id":%d,"rating":4,"comment":"friendly"},{"category_id":%d,"rating":1}`, c1, c2)
		w.do("PATCH /api/v1/qa/reviews/{id}", f("/api/v1/qa/reviews/%d", id), body+`],"comment":"Clear answer."}`, 200)
		w.do("PATCH /api/v1/qa/reviews/{id}", f("/api/v1/qa/reviews/%d", id), body+`],"comment":"Clear answer, well done.","submit":true}`, 200)
		return id
	}
	r1, r2 := review(), review()
	w.do("GET /api/v1/qa/reviews", f("/api/v1/qa/reviews?agent_id=%d&state=submitted&limit=10", agent), nil, 200)
	w.do("GET /api/v1/qa/reviews/{id}", f("/api/v1/qa/reviews/%d", r1), nil, 200)
	w.bearer = agentToken
	w.do("POST /api/v1/qa/reviews/{id}/acknowledge", f("/api/v1/qa/reviews/%d/acknowledge", r1), nil, 200)
	w.do("POST /api/v1/qa/reviews/{id}/dispute", f("/api/v1/qa/reviews/%d/dispute", r2), `{"reason":"The customer asked for the invoice, which I sent."}`, 200)
	w.do("GET /api/v1/qa/iqs", "/api/v1/qa/iqs?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", nil, 200)
	w.bearer = ""
	w.do("POST /api/v1/qa/reviews/{id}/resolve", f("/api/v1/qa/reviews/%d/resolve", r2), `{"resolution":"upheld","note":"The review stands."}`, 200)
	w.do("GET /api/v1/qa/assignments", "", nil, 200)
	w.do("GET /api/v1/qa/iqs", "/api/v1/qa/iqs?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&by=team&bucket=month", nil, 200)
}

// walkKB builds a category, a section and an article and takes it to
// published.
func (w *walk) walkKB(team int64) {
	f := fmt.Sprintf
	cat := idOf(w.t, w.do("POST /api/v1/kb/categories", "", `{"position":1,"names":[{"language":"en","name":"Orders","description":"Ordering and delivery"},{"language":"nb","name":"Bestillinger"}]}`, 201))
	sec := idOf(w.t, w.do("POST /api/v1/kb/categories/{id}/sections", f("/api/v1/kb/categories/%d/sections", cat), `{"position":1,"names":[{"language":"en","name":"Returns"},{"language":"nb","name":"Returer"}]}`, 201))
	w.do("GET /api/v1/kb/categories", "", nil, 200)
	art := idOf(w.t, w.do("POST /api/v1/articles", "", f(`{"section_id":%d,"language":"en","title":"How to return a damaged chair","summary":"Returns of damaged goods","body":"Send us a **photo** of the damage.","visibility":"internal","team_ids":[%d],"tags":["returns"],"verify_by":"2027-06-30"}`, sec, team), 201))
	w.do("GET /api/v1/articles/{id}", f("/api/v1/articles/%d", art), nil, 200)
	w.do("PUT /api/v1/articles/{id}/translations/{language}", f("/api/v1/articles/%d/translations/nb", art), `{"language":"nb","title":"Slik returnerer du en skadet stol","summary":"Retur av skadede varer","body":"Send oss et **bilde** av skaden.","note":"Norwegian translation"}`, 200)
	w.do("PUT /api/v1/articles/{id}/translations/{language}", f("/api/v1/articles/%d/translations/en", art), `{"language":"en","title":"How to return a damaged chair","summary":"Returns of damaged goods","body":"Send us a **photo** of the damage and the order number.","note":"ask for the order number"}`, 200)
	w.do("PUT /api/v1/articles/{id}/settings", f("/api/v1/articles/%d/settings", art), f(`{"section_id":%d,"source_language":"en","visibility":"public","tags":["returns","damage"],"verify_by":"2027-06-30"}`, sec), 200)
	w.do("POST /api/v1/articles/{id}/state", f("/api/v1/articles/%d/state", art), `{"state":"review"}`, 200)
	w.do("POST /api/v1/articles/{id}/state", f("/api/v1/articles/%d/state", art), `{"state":"published"}`, 200)
	w.do("GET /api/v1/articles/{id}/versions", f("/api/v1/articles/%d/versions?language=en", art), nil, 200)
	w.do("GET /api/v1/articles", "/api/v1/articles?q="+url.QueryEscape("damaged chair")+"&limit=5", nil, 200)
	if got := w.do("GET /api/v1/articles", "/api/v1/articles?q="+url.QueryEscape("damgaed chiar")+"&language=en", nil, 200); got["did_you_mean"] != "damaged chair" || !strings.Contains(fmt.Sprint(got["data"]), fmt.Sprintf("article_id:%d ", art)) {
		w.t.Errorf("misspelt article search: %.300v", got)
	}
	w.do("GET /api/v1/articles", "/api/v1/articles?q="+strings.Repeat("x", 201), nil, 400)
	w.do("GET /api/v1/articles", f("/api/v1/articles?state=published&section_id=%d&tag=returns", sec), nil, 200)
	w.do("GET /api/v1/reports/knowledge", "/api/v1/reports/knowledge?from=2026-01-01&to=2026-12-31&language=nb", nil, 200)
	w.do("GET /api/v1/reports/knowledge", "/api/v1/reports/knowledge?format=csv&table=searches", nil, 200)
	w.do("GET /api/v1/reports/knowledge", "/api/v1/reports/knowledge?table=everything", nil, 400)
}

// walkZendesk walks the Zendesk-compatible API: organizations, users,
// tickets, comments, search and the incremental exports.
func (w *walk) walkZendesk() {
	f := fmt.Sprintf
	// Zendesk numbers agents after customers: the caller's own user id.
	me := idOf(w.t, w.do("GET /api/v2/users/me.json", "", nil, 200)["user"].(map[string]any))
	zorg := w.do("POST /api/v2/organizations.json", "", `{"organization":{"name":"Zen Walk AS","domain_names":["zenwalk.example"],"notes":"migrated from Zendesk"}}`, 201)
	org := idOf(w.t, zorg["organization"].(map[string]any))
	w.do("GET /api/v2/organizations.json", "/api/v2/organizations.json?per_page=5", nil, 200)
	w.do("GET /api/v2/organizations/{id}", f("/api/v2/organizations/%d", org), nil, 200)
	w.do("PUT /api/v2/organizations/{id}", f("/api/v2/organizations/%d", org), `{"organization":{"details":"Bergen office"}}`, 200)
	zu := w.do("POST /api/v2/users.json", "", f(`{"user":{"name":"Ola Zen","email":"ola@zenwalk.example","role":"end-user","organization_id":%d,"locale":"nb"}}`, org), 201)
	user := idOf(w.t, zu["user"].(map[string]any))
	w.do("GET /api/v2/users.json", "/api/v2/users.json?role=end-user&per_page=5", nil, 200)
	w.do("GET /api/v2/users/search.json", "/api/v2/users/search.json?query=zenwalk", nil, 200)
	w.do("GET /api/v2/users/{id}", f("/api/v2/users/%d", user), nil, 200)
	w.do("PUT /api/v2/users/{id}", f("/api/v2/users/%d", user), `{"user":{"notes":"prefers email","iana_time_zone":"Europe/Oslo"}}`, 200)
	zt := w.do("POST /api/v2/tickets.json", "", f(`{"ticket":{"subject":"Login fails","comment":{"body":"I cannot log in since yesterday."},"requester_id":%d,"priority":"high","type":"problem","tags":["login"]}}`, user), 201)
	tk := idOf(w.t, zt["ticket"].(map[string]any))
	w.do("GET /api/v2/tickets.json", "/api/v2/tickets.json?page[size]=5", nil, 200)
	w.do("GET /api/v2/tickets/{id}", f("/api/v2/tickets/%d", tk), nil, 200)
	w.do("PUT /api/v2/tickets/{id}", f("/api/v2/tickets/%d", tk), f(`{"ticket":{"status":"pending","assignee_id":%d,"comment":{"body":"Please try resetting your password.","public":true}}}`, me), 200)
	w.do("GET /api/v2/tickets/{id}/comments.json", f("/api/v2/tickets/%d/comments.json", tk), nil, 200)
	w.do("GET /api/v2/search.json", "/api/v2/search.json?query="+url.QueryEscape("type:ticket status:pending login"), nil, 200)
	w.do("GET /api/v2/search.json", "/api/v2/search.json?query="+url.QueryEscape("type:user zenwalk"), nil, 200)
	w.do("GET /api/v2/incremental/tickets.json", "/api/v2/incremental/tickets.json?start_time=0&per_page=5", nil, 200)
	w.do("GET /api/v2/incremental/tickets/cursor.json", "/api/v2/incremental/tickets/cursor.json?start_time=0&per_page=5", nil, 200)
	w.do("GET /api/v2/organizations/{id}/tickets.json", f("/api/v2/organizations/%d/tickets.json", org), nil, 200)
	w.do("GET /api/v2/users/{id}/tickets/requested.json", f("/api/v2/users/%d/tickets/requested.json", user), nil, 200)
	w.do("GET /api/v2/users/{id}/tickets/assigned.json", f("/api/v2/users/%d/tickets/assigned.json", me), nil, 200)
	gone := w.do("POST /api/v2/users.json", "", `{"user":{"name":"Short-lived Zen","email":"gone@zenwalk.example"}}`, 201)
	w.do("DELETE /api/v2/users/{id}", f("/api/v2/users/%d", idOf(w.t, gone["user"].(map[string]any))), nil, 200)
	gorg := w.do("POST /api/v2/organizations.json", "", `{"organization":{"name":"Short-lived Zen AS"}}`, 201)
	w.do("DELETE /api/v2/organizations/{id}", f("/api/v2/organizations/%d", idOf(w.t, gorg["organization"].(map[string]any))), nil, 204)
	zspam := func() int64 {
		t := w.do("POST /api/v2/tickets.json", "", `{"ticket":{"subject":"Cheap watches","comment":{"body":"Buy now"},"requester":{"name":"Watches","email":"offers@zenspam.example"}}}`, 201)
		return idOf(w.t, t["ticket"].(map[string]any))
	}
	w.do("PUT /api/v2/tickets/{id}/mark_as_spam", f("/api/v2/tickets/%d/mark_as_spam", zspam()), nil, 200)
	w.do("PUT /api/v2/tickets/{id}/mark_as_spam.json", f("/api/v2/tickets/%d/mark_as_spam.json", zspam()), nil, 200)
	w.do("DELETE /api/v2/tickets/{id}", f("/api/v2/tickets/%d", zspam()), nil, 204)
}
