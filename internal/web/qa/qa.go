// Package qa serves the quality pages (docs/qa.md): the scorecard editor,
// the review page (every message of the ticket beside the scorecard), the
// reviewers' assignments, sampling and workload, the IQS overview,
// calibration sessions, the agents' own reviews with acknowledge and
// dispute, and the leads' dispute resolution and coaching notes.
package qa

import (
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	qasvc "github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/web/httpx"
	"github.com/ombud/ombud/internal/web/ui"
)

//go:embed templates/*.html partials/*.html
var templateFS embed.FS

// UI serves the quality pages.
type UI struct {
	*ui.UI
	QA    *qasvc.Service
	pages map[string]*template.Template
}

// New parses the pages with the shared layout.
func New(shared *ui.UI, svc *qasvc.Service) (*UI, error) {
	pages, err := shared.Parse(templateFS, "hub", "scorecards", "scorecard", "review", "assignments", "sampling", "mine", "iqs", "disputes", "calibrations", "calibration")
	if err != nil {
		return nil, err
	}
	for name := range pages {
		if pages[name], err = pages[name].ParseFS(templateFS, "partials/qa.html"); err != nil {
			return nil, fmt.Errorf("qa pages: parse partials: %w", err)
		}
	}
	return &UI{UI: shared, QA: svc, pages: pages}, nil
}

func (u *UI) render(w http.ResponseWriter, r *http.Request, status int, page, title, flash, problem string, data map[string]any) error {
	return u.Render(w, r, status, u.pages[page], ui.PageData{Title: title, Nav: "qa", Flash: flash, Error: problem, Data: data})
}

// Hub answers GET /qa: the quality pages the actor may open.
func (u *UI) Hub(w http.ResponseWriter, r *http.Request) error {
	a := httpx.Actor(r.Context())
	data := map[string]any{
		"Manage": authz.Can(a, authz.QAManage), "Review": authz.Can(a, authz.QAReview), "Own": authz.Can(a, authz.QAOwn),
	}
	return u.render(w, r, http.StatusOK, "hub", "Quality", "", "", data)
}

// form parses the posted form.
func form(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.InvalidField("body", "is not a form")
	}
	return nil
}

func formID(r *http.Request, k string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get(k)), 10, 64)
	return n
}

func optID(s string) *int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return nil
	}
	return &n
}

func ids(vals []string) []int64 {
	var out []int64
	for _, v := range vals {
		for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '#' }) {
			if n, err := strconv.ParseInt(p, 10, 64); err == nil && n > 0 {
				out = append(out, n)
			}
		}
	}
	return out
}

// pct formats a score as "78.13".
func pct(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// when formats a time in the agent's zone.
func (u *UI) when(r *http.Request, t *time.Time) string {
	if t == nil {
		return ""
	}
	return ui.When(u.Lang(r), *t, ui.Location(r))
}

// refused turns a service's validation or state refusal into a message
// on the page; other errors go to the error page.
func (u *UI) refused(r *http.Request, err error) (string, map[string]string, bool) {
	e, ok := ui.Refusal(err)
	if !ok || (e.Code != apperr.CodeInvalid && e.Code != apperr.CodeConflict) {
		return "", nil, false
	}
	e = u.ErrIn(r, err)
	return e.Message, e.Fields, true
}

func back(w http.ResponseWriter, r *http.Request, path string, args ...any) error {
	http.Redirect(w, r, fmt.Sprintf(path, args...), http.StatusSeeOther)
	return nil
}

// stateLabels are the English words of review states and resolutions
// (catalog keys).
var stateLabels = map[string]string{
	qasvc.StateDraft: "Draft", qasvc.StateSubmitted: "Submitted", qasvc.StateAcknowledged: "Acknowledged",
	qasvc.StateDisputed: "Disputed", qasvc.StateResolved: "Resolved", qasvc.Uphold: "Upheld", qasvc.Adjust: "Adjusted",
}

// reasonText says in the agent's language why sampling picked a ticket.
func (u *UI) reasonText(r *http.Request, reason string) string {
	var out []string
	for _, p := range strings.Split(reason, ",") {
		k, v, _ := strings.Cut(p, ":")
		switch k {
		case "random":
			out = append(out, u.Tr(r, "Random pick"))
		case "bad_csat":
			out = append(out, u.Tr(r, "Bad satisfaction rating"))
		case "reopened":
			out = append(out, u.Tr(r, "Reopened"))
		case "resolution":
			out = append(out, u.Tr(r, "Resolution took at least %s hours", v))
		case "channel":
			out = append(out, u.LabelIn(u.Lang(r), v))
		case "team":
			out = append(out, u.Tr(r, "Team"))
		}
	}
	return strings.Join(out, ", ")
}
