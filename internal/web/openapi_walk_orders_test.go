package web_test

import (
	"fmt"
	"strings"
)

// walkReturns opens a return on ticket tk, moves it through its workflow
// to refunded, and reads the list, the case and the returns report,
// refusals included.
func (w *walk) walkReturns(tk int64) {
	f := fmt.Sprintf
	c := idOf(w.t, w.do("POST /api/v1/tickets/{id}/returns", f("/api/v1/tickets/%d/returns", tk),
		`{"kind":"return","order_number":"#1042","reason":"damaged","amount":"129.00","currency":"NOK","note":"Leg broken in transit","items":[{"product":"Oak chair","quantity":1}]}`, 201))
	w.do("POST /api/v1/tickets/{id}/returns", f("/api/v1/tickets/%d/returns", tk), `{"kind":"exchange","order_number":"","reason":"bored","items":[]}`, 400)
	w.do("POST /api/v1/tickets/{id}/returns", "/api/v1/tickets/999999/returns", `{"kind":"refund","order_number":"1","reason":"other","amount":"5","currency":"EUR"}`, 404)
	w.do("POST /api/v1/returns/{id}/transitions", f("/api/v1/returns/%d/transitions", c), `{"status":"refunded"}`, 409)
	for _, s := range []string{"approved", "label_sent", "received", "refunded"} {
		w.do("POST /api/v1/returns/{id}/transitions", f("/api/v1/returns/%d/transitions", c), f(`{"status":%q}`, s), 200)
	}
	w.do("POST /api/v1/returns/{id}/transitions", f("/api/v1/returns/%d/transitions", c), f(`{"status":"cancelled","note":%q}`, strings.Repeat("x", 2001)), 400)
	w.do("GET /api/v1/returns/{id}", f("/api/v1/returns/%d", c), nil, 200)
	w.do("GET /api/v1/returns/{id}", "/api/v1/returns/999999", nil, 404)
	w.do("GET /api/v1/returns", f("/api/v1/returns?ticket_id=%d&status=refunded&reason=damaged&kind=return&limit=5", tk), nil, 200)
	w.do("GET /api/v1/returns", "/api/v1/returns?status=lost", nil, 400)
	w.do("GET /api/v1/reports/returns", "/api/v1/reports/returns?tz=Europe/Oslo", nil, 200)
	w.do("GET /api/v1/reports/returns", "/api/v1/reports/returns?from=2026-13-01", nil, 400)
}
