package tickets_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestMergeFromTicketPage merges a duplicate from its ticket page on both
// engines: the requester's other open tickets are offered, a search finds
// a target, the confirmation shows both, and the merge sends the optional
// note to the requester on the target, which says what was merged into it.
func TestMergeFromTicketPage(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			dup, keep := webtest.CreateTicket(t, e, "Order 5512 late (again)"), webtest.CreateTicket(t, e, "Order 5512 late")
			src := fmt.Sprintf("/tickets/%d", dup)
			if !strings.Contains(webtest.GetPage(t, e, authz.Agent, src), `href="`+src+`/merge"`) {
				t.Fatal("ticket page lacks the merge link")
			}
			page := webtest.GetPage(t, e, authz.Agent, src+"/merge")
			if !strings.Contains(page, fmt.Sprintf(`href="%s/merge?target=%d"`, src, keep)) {
				t.Error("the requester's other open ticket is not offered")
			}
			page = webtest.GetPage(t, e, authz.Agent, src+"/merge?q="+url.QueryEscape(fmt.Sprintf("#%d", keep)))
			if !strings.Contains(page, fmt.Sprintf(`?target=%d"`, keep)) {
				t.Error("search by number does not find the target")
			}
			page = webtest.GetPage(t, e, authz.Agent, fmt.Sprintf("%s/merge?target=%d", src, keep))
			for _, want := range []string{"This cannot be undone.", `name="target_id" value="` + fmt.Sprint(keep) + `"`, "Order 5512 late (again)", "Hello, my order is late."} {
				if !strings.Contains(page, want) {
					t.Errorf("confirmation lacks %q", want)
				}
			}
			if st, _ := webtest.PostFormBody(t, e, authz.Agent, src+"/merge", url.Values{"target_id": {fmt.Sprint(keep)}, "note": {"bad \x07 note"}}); st != http.StatusBadRequest {
				t.Errorf("a note that cannot be sent: %d, want 400 before merging", st)
			}
			st, loc := webtest.PostFormLoc(t, e, authz.Agent, src+"/merge", url.Values{"target_id": {fmt.Sprint(keep)}, "note": {"We merged your two requests about order 5512."}})
			if st != http.StatusSeeOther || loc != fmt.Sprintf("/tickets/%d?merged=%d", keep, dup) {
				t.Fatalf("merge: %d %q", st, loc)
			}
			_, s := e.Do(t, authz.Agent, "GET", "/api/v1"+src, nil)
			if fmt.Sprint(s["merged_into_id"]) != fmt.Sprint(keep) || s["status"] != "closed" {
				t.Errorf("source after merge: %v", s["_raw"])
			}
			_, cs := e.Do(t, authz.Agent, "GET", fmt.Sprintf("/api/v1/tickets/%d/comments?limit=100", keep), nil)
			data := cs["data"].([]any)
			last := data[len(data)-1].(map[string]any)
			if last["body"] != "We merged your two requests about order 5512." || last["public"] != true {
				t.Errorf("last comment on the target %v: want the public note", last)
			}
			if !strings.Contains(webtest.GetPage(t, e, authz.Agent, loc), fmt.Sprintf("Ticket #%d was merged into this ticket.", dup)) {
				t.Error("target page does not say what was merged into it")
			}
			if strings.Contains(webtest.GetPage(t, e, authz.Agent, src), `href="`+src+`/merge"`) {
				t.Error("a merged ticket still offers a merge")
			}
		})
	}
}
