package admin_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"os"
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestImportPageErrorsInTheAdminsLanguage: what an upload could not import
// (a conversion problem, a refused NDJSON line, an export without its
// tickets) reads in the admin's language, not in the importer's English.
func TestImportPageErrorsInTheAdminsLanguage(t *testing.T) {
	csv, err := os.ReadFile("../../importer/freshdesk/testdata/csv/tickets.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			if st, b := e.Do(t, authz.Admin, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.Agents[authz.Admin].ID), map[string]any{"locale": "nb"}); st != 200 {
				t.Fatalf("locale: %d %v", st, b["_raw"])
			}
			admin := webtest.SignIn(t, e, authz.Admin)
			upload := func(format, name string, data []byte) string {
				t.Helper()
				_, page, _ := admin.PostMultipart(t, "/admin/import", [][2]string{{"format", format}},
					[]webtest.Upload{{Field: "file", Name: name, Type: "application/octet-stream", Data: data}})
				return html.UnescapeString(page)
			}
			cases := []struct {
				name, format, file string
				data               []byte
				want               []string
			}{
				{"a row the conversion refused", "freshdesk", "tickets.csv", csv,
					[]string{`Priority "Enormous" er ikke Low, Medium, High eller Urgent`}},
				{"an NDJSON line of an unknown kind", "ndjson", "history.ndjson", []byte(`{"kind":"parcel"}` + "\n"),
					[]string{"må være team, agent, organization, field, customer eller ticket"}},
				{"an export without tickets", "zendesk", "export.zip", zipOf(t, "users.json", `[]`, "organizations.json", `[]`),
					[]string{"ingen tickets.json i eksporten"}},
			}
			for _, c := range cases {
				page := upload(c.format, c.file, c.data)
				for _, w := range c.want {
					if !strings.Contains(page, w) {
						t.Errorf("%s: the page lacks %q:\n%s", c.name, w, webtest.Excerpt(page))
					}
				}
			}
		})
	}
}

// zipOf is a zip archive of the files given as name, body pairs.
func zipOf(t *testing.T, nameBody ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(nameBody); i += 2 {
		w, err := zw.Create(nameBody[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(nameBody[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
