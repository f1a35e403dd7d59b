package web_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestForgedCursors: a cursor is opaque but travels through the client, so
// a forged one (keys at the edges of int64, the wrong sort) must give a
// page or a 400, never a database error — PostgreSQL's 32-bit columns
// refuse what SQLite takes.
func TestForgedCursors(t *testing.T) {
	cursors := []string{
		`{"k":9223372036854775807,"i":9223372036854775807,"o":"updated"}`,
		`{"k":-9223372036854775808,"i":-1,"o":"created"}`,
		`{"k":0,"i":2147483648,"o":"updated"}`,
	}
	paths := []string{"/api/v1/tickets", "/api/v1/customers", "/api/v1/organizations", "/api/v1/agents", "/api/v1/teams",
		"/api/v1/jobs", "/api/v1/tickets/%d/comments", "/api/v1/tickets/%d/events", "/api/v1/search?q=order", "/api/v1/views",
		"/api/v1/inbound-messages", "/api/v1/tokens"}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			id := webtest.CreateTicket(t, e, "Order 1234")
			for _, c := range cursors {
				cur := base64.RawURLEncoding.EncodeToString([]byte(c))
				for _, p := range paths {
					if strings.Contains(p, "%d") {
						p = fmt.Sprintf(p, id)
					}
					sep := "?"
					if strings.Contains(p, "?") {
						sep = "&"
					}
					st, body := e.Do(t, authz.Admin, "GET", p+sep+"cursor="+cur, nil)
					if st != http.StatusOK && st != http.StatusBadRequest {
						t.Errorf("%s with %s: %d %v", p, c, st, body["_raw"])
					}
				}
			}
		})
	}
}
