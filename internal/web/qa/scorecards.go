package qa

import (
	"net/http"
	"strconv"
	"strings"

	qasvc "github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/web/httpx"
)

// rowsShown is how many empty category rows the editor offers beyond the
// scorecard's own (a form without JavaScript).
const rowsShown = 3

// catRow is one row of the editor.
type catRow struct {
	I        int
	Name     string
	Desc     string
	Weight   string
	Scale    string
	Critical bool
}

func rowsOf(cats []qasvc.Category) []catRow {
	var out []catRow
	for i, c := range cats {
		out = append(out, catRow{I: i, Name: c.Name, Desc: c.Description, Weight: strconv.Itoa(c.Weight), Scale: c.Scale, Critical: c.Critical})
	}
	for i := len(cats); i < len(cats)+rowsShown; i++ {
		out = append(out, catRow{I: i, Weight: "1", Scale: qasvc.ScaleFive})
	}
	return out
}

// readCard reads the editor's form: rows with an empty name are dropped.
func readCard(r *http.Request) qasvc.ScorecardInput {
	f := r.PostForm
	in := qasvc.ScorecardInput{Name: f.Get("name"), Description: f.Get("description"), Channel: f.Get("channel"), TeamID: optID(f.Get("team_id"))}
	active := f.Get("active") != "off"
	in.Active = &active
	for i := 0; i < qasvc.MaxCategories+rowsShown; i++ {
		k := strconv.Itoa(i)
		name := strings.TrimSpace(f.Get("cat_name_" + k))
		if name == "" {
			continue
		}
		w, err := strconv.Atoi(strings.TrimSpace(f.Get("cat_weight_" + k)))
		if err != nil {
			w = 0 // refused by the service
		}
		in.Categories = append(in.Categories, qasvc.Category{Name: name, Description: f.Get("cat_desc_" + k), Weight: w,
			Scale: f.Get("cat_scale_" + k), Critical: f.Get("cat_critical_"+k) == "on"})
	}
	return in
}

func (u *UI) cardData(r *http.Request, card qasvc.Scorecard, errs map[string]string) (map[string]any, error) {
	teams, err := u.Teams(r.Context(), httpx.Actor(r.Context()))
	if err != nil {
		return nil, err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	return map[string]any{"Card": card, "Rows": rowsOf(card.Categories), "Teams": teams, "Channels": qasvc.Channels,
		"Scales": qasvc.Scales, "Errs": errs, "TeamID": deref(card.TeamID)}, nil
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// Scorecards answers GET /qa/scorecards: every scorecard and the form for
// a new one.
func (u *UI) Scorecards(w http.ResponseWriter, r *http.Request) error {
	return u.scorecards(w, r, http.StatusOK, "", qasvc.Scorecard{Active: true}, nil)
}

func (u *UI) scorecards(w http.ResponseWriter, r *http.Request, status int, problem string, card qasvc.Scorecard, errs map[string]string) error {
	list, err := u.QA.Scorecards(r.Context(), httpx.Actor(r.Context()), true)
	if err != nil {
		return err
	}
	data, err := u.cardData(r, card, errs)
	if err != nil {
		return err
	}
	data["List"] = list
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Scorecard saved."
	}
	return u.render(w, r, status, "scorecards", "Scorecards", flash, problem, data)
}

// CreateScorecard answers POST /qa/scorecards.
func (u *UI) CreateScorecard(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	in := readCard(r)
	c, err := u.QA.CreateScorecard(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.scorecards(w, r, http.StatusUnprocessableEntity, msg, inputCard(in), fields)
	}
	return back(w, r, "/qa/scorecards/%d?saved=1", c.ID)
}

func inputCard(in qasvc.ScorecardInput) qasvc.Scorecard {
	return qasvc.Scorecard{Name: in.Name, Description: in.Description, Channel: in.Channel, TeamID: in.TeamID, Active: in.Active == nil || *in.Active, Categories: in.Categories}
}

// Scorecard answers GET /qa/scorecards/{id}: the editor.
func (u *UI) Scorecard(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "scorecard")
	if err != nil {
		return err
	}
	c, err := u.QA.Scorecard(r.Context(), httpx.Actor(r.Context()), id)
	if err != nil {
		return err
	}
	flash := ""
	if r.URL.Query().Get("saved") != "" {
		flash = "Scorecard saved."
	}
	data, err := u.cardData(r, c, nil)
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "scorecard", c.Name, flash, "", data)
}

// UpdateScorecard answers POST /qa/scorecards/{id}; a used scorecard
// becomes a new version, whose page the answer opens.
func (u *UI) UpdateScorecard(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "scorecard")
	if err != nil {
		return err
	}
	if err := form(r); err != nil {
		return err
	}
	in := readCard(r)
	c, err := u.QA.UpdateScorecard(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok {
			return err
		}
		card := inputCard(in)
		card.ID = id
		data, derr := u.cardData(r, card, fields)
		if derr != nil {
			return derr
		}
		return u.render(w, r, http.StatusUnprocessableEntity, "scorecard", in.Name, "", msg, data)
	}
	return back(w, r, "/qa/scorecards/%d?saved=1", c.ID)
}
