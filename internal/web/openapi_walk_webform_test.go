package web_test

import (
	"encoding/json"
	"strconv"

	"github.com/ombud/ombud/internal/portal"
)

// walkWebForm turns the web form on with a puzzle, solves one, posts the
// form with it and with a wrong nonce, and turns the form off again.
func (w *walk) walkWebForm() {
	w.do("GET /api/v1/web-form", "", nil, 200)
	w.do("PUT /api/v1/web-form", "", `{"enabled":true,"allowed_origins":["https://shop.example.com"],"proof_of_work":10}`, 200)
	w.do("PUT /api/v1/web-form", "", `{"enabled":true,"allowed_origins":[],"proof_of_work":3}`, 400)
	w.do("OPTIONS /forms/request", "", nil, 204)
	c := w.do("GET /forms/challenge", "", nil, 200)
	challenge, _ := c["challenge"].(string)
	nonce := 0
	for portal.LeadingZeroBits(challenge, strconv.Itoa(nonce)) < 10 {
		nonce++
	}
	body := func(n int) string {
		b, _ := json.Marshal(map[string]string{"email": "walk@example.com", "subject": "Walk", "message": "A request from the walk",
			"pow_challenge": challenge, "pow_nonce": strconv.Itoa(n)})
		return string(b)
	}
	bad := nonce + 1
	for portal.LeadingZeroBits(challenge, strconv.Itoa(bad)) >= 10 {
		bad++
	}
	w.do("POST /forms/request", "", body(bad), 400)
	w.do("POST /forms/request", "", body(nonce), 201)
	w.do("POST /forms/request", "", body(nonce), 400) // spent
	w.do("PUT /api/v1/web-form", "", `{"enabled":false,"allowed_origins":[],"proof_of_work":0}`, 200)
}
