package zendesk_test

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/api/zendesk"
)

// nodeDir holds the node-zendesk pin (package.json, package-lock.json)
// and the script the test runs; scripts/test.sh installs its
// node_modules with npm ci.
const nodeDir = "testdata/node"

// clientTicket is what client.js prints of a ticket.
type clientTicket struct {
	ID          int64    `json:"id"`
	Subject     string   `json:"subject"`
	Description string   `json:"description"`
	Status      string   `json:"status"`
	Priority    string   `json:"priority"`
	Type        string   `json:"type"`
	RequesterID int64    `json:"requester_id"`
	AssigneeID  *int64   `json:"assignee_id"`
	Tags        []string `json:"tags"`
	Via         string   `json:"via"`
}

// clientResult is everything client.js prints.
type clientResult struct {
	Me struct {
		ID    int64  `json:"id"`
		Email string `json:"email"`
		Role  string `json:"role"`
	} `json:"me"`
	BearerMe int64 `json:"bearerMe"`
	Org      struct {
		ID          int64    `json:"id"`
		Name        string   `json:"name"`
		DomainNames []string `json:"domain_names"`
	} `json:"org"`
	User struct {
		ID             int64  `json:"id"`
		Role           string `json:"role"`
		Email          string `json:"email"`
		OrganizationID *int64 `json:"organization_id"`
	} `json:"user"`
	Created, Second, Updated, Shown clientTicket
	List                            []int64 `json:"list"`
	ByOrganization                  []int64 `json:"byOrganization"`
	Requested                       []int64 `json:"requested"`
	Assigned                        []int64 `json:"assigned"`
	Comments                        []struct {
		Body     string `json:"body"`
		Public   bool   `json:"public"`
		AuthorID int64  `json:"author_id"`
	} `json:"comments"`
	Search []struct {
		ID         int64  `json:"id"`
		ResultType string `json:"result_type"`
	} `json:"search"`
	SearchAll     []int64  `json:"searchAll"`
	UserSearch    []string `json:"userSearch"`
	Users         int      `json:"users"`
	Organizations []string `json:"organizations"`
	ExportTime    []int64  `json:"exportTime"`
	ExportCursor  struct {
		IDs         []int64 `json:"ids"`
		EndOfStream bool    `json:"end_of_stream"`
		AfterCursor string  `json:"after_cursor"`
		NextCount   int     `json:"next_count"`
	} `json:"exportCursor"`
	NotFound string `json:"notFound"`
	Invalid  string `json:"invalid"`
}

// TestNodeZendeskClient runs the real node-zendesk library (pinned in
// testdata/node) against a running Ombud: it creates users, an
// organization and tickets, updates and comments, lists, searches and
// exports, and this test checks what the library got back.
func TestNodeZendeskClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed: the Zendesk client test runs node-zendesk with Node.js (apt-get install nodejs npm; scripts/test.sh does)")
	}
	if _, err := os.Stat(filepath.Join(nodeDir, "node_modules", "node-zendesk", "package.json")); err != nil {
		t.Fatalf("node-zendesk is not installed in %s: run (cd internal/web/api/zendesk/%s && npm ci), as scripts/test.sh does", nodeDir, nodeDir)
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			admin := e.Agents[authz.Admin]
			cmd := exec.CommandContext(t.Context(), node, "client.js")
			cmd.Dir = nodeDir
			cmd.Env = append(os.Environ(), "OMBUD_URL="+e.URL, "OMBUD_EMAIL="+admin.Email, "OMBUD_TOKEN="+e.Tokens[authz.Admin])
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.WaitDelay = 5 * time.Second
			if err := cmd.Run(); err != nil {
				t.Fatalf("node client.js: %v\n%s", err, stderr.String())
			}
			t.Logf("client.js printed: %s", stdout.String())
			var got clientResult
			if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
				t.Fatalf("client.js printed no JSON: %v\n%s\n%s", err, stdout.String(), stderr.String())
			}
			me := zendesk.AgentUserID(admin.ID)
			if got.Me.ID != me || got.Me.Email != admin.Email || got.Me.Role != "admin" || got.BearerMe != me {
				t.Errorf("me: %+v, bearer %d; want %d %s admin", got.Me, got.BearerMe, me, admin.Email)
			}
			if got.Org.ID == 0 || got.Org.Name != "Node Org" || !slices.Equal(got.Org.DomainNames, []string{"node.example"}) {
				t.Errorf("organization: %+v", got.Org)
			}
			// The new end-user joins the organization by its email domain.
			if got.User.Role != "end-user" || got.User.Email != "nora@node.example" || got.User.OrganizationID == nil || *got.User.OrganizationID != got.Org.ID {
				t.Errorf("user: %+v", got.User)
			}
			wantCreated := clientTicket{ID: got.Created.ID, Subject: "Printer on fire", Description: "The printer is on fire.", Status: "new",
				Priority: "urgent", Type: "incident", RequesterID: got.User.ID, Tags: []string{"fire", "printer"}, Via: "api"}
			if diff := cmp.Diff(wantCreated, got.Created); diff != "" {
				t.Errorf("created (-want +got):\n%s", diff)
			}
			wantUpdated := wantCreated
			wantUpdated.Status, wantUpdated.AssigneeID = "open", &me
			for name, tk := range map[string]clientTicket{"updated": got.Updated, "shown": got.Shown} {
				if diff := cmp.Diff(wantUpdated, tk); diff != "" {
					t.Errorf("%s (-want +got):\n%s", name, diff)
				}
			}
			if got.Second.Subject != "Second ticket" || got.Second.RequesterID == 0 || got.Second.RequesterID == got.User.ID {
				t.Errorf("second ticket: %+v", got.Second)
			}
			both := []int64{got.Created.ID, got.Second.ID}
			if !slices.Equal(got.List, both) {
				t.Errorf("tickets.list %v, want %v", got.List, both)
			}
			// Both requesters joined Node Org by their email domain.
			if !slices.Equal(got.ByOrganization, both) {
				t.Errorf("tickets.listByOrganization: %v, want %v", got.ByOrganization, both)
			}
			for name, ids := range map[string][]int64{"listByUserRequested": got.Requested, "listAssigned": got.Assigned} {
				if !slices.Equal(ids, []int64{got.Created.ID}) {
					t.Errorf("tickets.%s: %v, want [%d]", name, ids, got.Created.ID)
				}
			}
			if len(got.Comments) != 3 || got.Comments[0].Body != "The printer is on fire." || got.Comments[0].AuthorID != got.User.ID ||
				got.Comments[1].Body != "We are on it." || !got.Comments[1].Public || got.Comments[1].AuthorID != me ||
				got.Comments[2].Public || !strings.HasPrefix(got.Comments[2].Body, "Internal") {
				t.Errorf("comments: %+v", got.Comments)
			}
			if len(got.Search) != 1 || got.Search[0].ID != got.Created.ID || got.Search[0].ResultType != "ticket" {
				t.Errorf("search type:ticket status:open priority>high: %+v", got.Search)
			}
			if !slices.Equal(got.SearchAll, []int64{got.Created.ID}) {
				t.Errorf("search tags:fire: %v", got.SearchAll)
			}
			if !slices.Equal(got.UserSearch, []string{"nora@node.example"}) {
				t.Errorf("users.search: %v", got.UserSearch)
			}
			// Two end-users (Nora, Olav) and the test's agents.
			if want := 2 + len(e.Agents); got.Users != want {
				t.Errorf("users.list: %d users, want %d", got.Users, want)
			}
			if !slices.Equal(got.Organizations, []string{"Node Org"}) {
				t.Errorf("organizations.list: %v", got.Organizations)
			}
			// The export lists by last change: the second ticket, then the
			// first (changed after it).
			byChange := []int64{got.Second.ID, got.Created.ID}
			if !slices.Equal(got.ExportTime, byChange) {
				t.Errorf("incremental by time: %v, want %v", got.ExportTime, byChange)
			}
			if !slices.Equal(got.ExportCursor.IDs, byChange) || !got.ExportCursor.EndOfStream || got.ExportCursor.AfterCursor != "string" || got.ExportCursor.NextCount != 0 {
				t.Errorf("incremental by cursor: %+v", got.ExportCursor)
			}
			if !strings.Contains(got.NotFound, "404") {
				t.Errorf("show 999999: %q, want a 404 error", got.NotFound)
			}
			if !strings.Contains(got.Invalid, "422") {
				t.Errorf("create without subject: %q, want a 422 error", got.Invalid)
			}
		})
	}
}
