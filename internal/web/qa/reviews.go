package qa

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/page"
	qasvc "github.com/ombud/ombud/internal/qa"
	"github.com/ombud/ombud/internal/ticket"
	"github.com/ombud/ombud/internal/web/httpx"
)

// catView is one category of the review page with its rating.
type catView struct {
	qasvc.Category
	Choices []int
	Rating  string // "" not rated or not applicable
	Comment string
	Agreed  string // calibration: the agreed rating
}

// message is one message of the ticket with its author's name.
type message struct {
	ticket.Comment
	AuthorName string
}

// messages returns every message of the ticket, oldest first, with the
// authors' names.
func (u *UI) messages(r *http.Request, ticketID int64) ([]message, error) {
	all, err := u.comments(r, ticketID)
	if err != nil {
		return nil, err
	}
	var agentIDs, customerIDs []int64
	for _, c := range all {
		switch c.AuthorType {
		case "agent":
			agentIDs = append(agentIDs, c.AuthorID)
		case "customer":
			customerIDs = append(customerIDs, c.AuthorID)
		}
	}
	agents, err := u.Agents.Brief(r.Context(), agentIDs)
	if err != nil {
		return nil, err
	}
	customers := map[int64]string{}
	if u.Customers != nil {
		briefs, err := u.Customers.Brief(r.Context(), customerIDs)
		if err != nil {
			return nil, err
		}
		for id, b := range briefs {
			customers[id] = b.Name
		}
	}
	out := make([]message, len(all))
	for i, c := range all {
		out[i] = message{Comment: c, AuthorName: "Ombud"}
		switch c.AuthorType {
		case "agent":
			out[i].AuthorName = agents[c.AuthorID].Name
		case "customer":
			out[i].AuthorName = customers[c.AuthorID]
		}
	}
	return out, nil
}

func (u *UI) comments(r *http.Request, ticketID int64) ([]ticket.Comment, error) {
	var out []ticket.Comment
	pr := page.Request{Limit: page.MaxLimit}
	for {
		l, err := u.Tickets.ListComments(r.Context(), httpx.Actor(r.Context()), ticketID, pr)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Data...)
		if l.NextCursor == nil {
			return out, nil
		}
		c, err := page.Decode(*l.NextCursor)
		if err != nil {
			return nil, err
		}
		pr.Cursor = c
	}
}

func catViews(cats []qasvc.Category, ratings []qasvc.Rating) []catView {
	by := map[int64]qasvc.Rating{}
	for _, g := range ratings {
		by[g.CategoryID] = g
	}
	out := make([]catView, len(cats))
	for i, c := range cats {
		v := catView{Category: c, Choices: qasvc.Ratings(c.Scale)}
		if g, ok := by[c.ID]; ok {
			v.Comment = g.Comment
			if g.Rating != nil {
				v.Rating = strconv.Itoa(*g.Rating)
			}
		}
		out[i] = v
	}
	return out
}

// readRatings reads rating_<category> and comment_<category>.
func readRatings(r *http.Request, cats []qasvc.Category) []qasvc.Rating {
	var out []qasvc.Rating
	for _, c := range cats {
		k := strconv.FormatInt(c.ID, 10)
		g := qasvc.Rating{CategoryID: c.ID, Comment: strings.TrimSpace(r.PostForm.Get("comment_" + k))}
		if v, err := strconv.Atoi(r.PostForm.Get("rating_" + k)); err == nil {
			g.Rating = &v
		}
		out = append(out, g)
	}
	return out
}

// Review answers GET /qa/reviews/{id}: the ticket's messages beside the
// scorecard — a form for the reviewer's draft, otherwise the scores with
// what the viewer may do (acknowledge, dispute, resolve, coach).
func (u *UI) Review(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	flash := map[string]string{"saved": "Draft saved.", "submitted": "Review submitted.", "acknowledged": "Review acknowledged.",
		"disputed": "Dispute sent to your lead.", "resolved": "Dispute resolved.", "noted": "Coaching note added."}[r.URL.Query().Get("done")]
	return u.review(w, r, id, http.StatusOK, flash, "", nil)
}

func (u *UI) review(w http.ResponseWriter, r *http.Request, id int64, status int, flash, problem string, errs map[string]string) error {
	ctx := r.Context()
	a := httpx.Actor(ctx)
	rv, err := u.QA.Review(ctx, a, id)
	if err != nil {
		return err
	}
	card, err := u.QA.Scorecard(ctx, a, rv.ScorecardID)
	if err != nil {
		return err
	}
	msgs, err := u.messages(r, rv.TicketID)
	if err != nil {
		return err
	}
	if errs == nil {
		errs = map[string]string{}
	}
	data := map[string]any{
		"R": rv, "Card": card, "Cats": catViews(card.Categories, rv.Ratings), "Messages": msgs, "Errs": errs,
		"State": stateLabels[rv.State], "Resolution": stateLabels[rv.Resolution], "Score": pct(rv.Score), "Original": pct(rv.OriginalScore), "Submitted": u.when(r, rv.SubmittedAt),
		"Editable":   rv.State == qasvc.StateDraft && rv.ReviewerID == a.ID,
		"CanAnswer":  rv.Kind == qasvc.KindReview && rv.State == qasvc.StateSubmitted && rv.AgentID == a.ID,
		"CanResolve": rv.State == qasvc.StateDisputed && authz.Can(a, authz.QAManage),
		"CanCoach":   rv.Kind == qasvc.KindReview && rv.State != qasvc.StateDraft && authz.Can(a, authz.QAManage),
	}
	if rv.CalibrationID != nil {
		data["Back"] = "/qa/calibrations/" + strconv.FormatInt(*rv.CalibrationID, 10)
	}
	if authz.Can(a, authz.QAManage) || rv.AgentID == a.ID {
		notes, err := u.QA.CoachingFor(ctx, a, rv.AgentID)
		if err != nil {
			return err
		}
		var mine []qasvc.Coaching
		for _, n := range notes {
			if n.ReviewID != nil && *n.ReviewID == rv.ID {
				mine = append(mine, n)
			}
		}
		data["Notes"] = mine
	}
	title := rv.TicketSubject
	return u.render(w, r, status, "review", title, flash, problem, data)
}

// StartReview answers POST /qa/reviews (form: ticket_id, scorecard_id):
// the reviewer's draft of the ticket.
func (u *UI) StartReview(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	rv, err := u.QA.StartReview(r.Context(), httpx.Actor(r.Context()), qasvc.StartInput{TicketID: formID(r, "ticket_id"), ScorecardID: formID(r, "scorecard_id")})
	if err != nil {
		msg, _, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.assignments(w, r, http.StatusUnprocessableEntity, msg)
	}
	return back(w, r, "/qa/reviews/%d", rv.ID)
}

// SaveReview answers POST /qa/reviews/{id} (rating_N, comment_N, comment,
// action = save | submit).
func (u *UI) SaveReview(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	if err := form(r); err != nil {
		return err
	}
	ctx := r.Context()
	a := httpx.Actor(ctx)
	rv, err := u.QA.Review(ctx, a, id)
	if err != nil {
		return err
	}
	card, err := u.QA.Scorecard(ctx, a, rv.ScorecardID)
	if err != nil {
		return err
	}
	submit := r.PostForm.Get("action") == "submit"
	in := qasvc.SaveInput{Ratings: readRatings(r, card.Categories), Comment: r.PostForm.Get("comment"), Submit: submit}
	if _, err := u.QA.SaveReview(ctx, a, id, in); err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.review(w, r, id, http.StatusUnprocessableEntity, "", msg, fields)
	}
	done := "saved"
	if submit {
		done = "submitted"
	}
	return back(w, r, "/qa/reviews/%d?done=%s", id, done)
}

// Acknowledge answers POST /qa/reviews/{id}/acknowledge.
func (u *UI) Acknowledge(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	if _, err := u.QA.Acknowledge(r.Context(), httpx.Actor(r.Context()), id); err != nil {
		msg, _, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.review(w, r, id, http.StatusConflict, "", msg, nil)
	}
	return back(w, r, "/qa/reviews/%d?done=acknowledged", id)
}

// Dispute answers POST /qa/reviews/{id}/dispute (form: reason).
func (u *UI) Dispute(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	if err := form(r); err != nil {
		return err
	}
	if _, err := u.QA.Dispute(r.Context(), httpx.Actor(r.Context()), id, r.PostForm.Get("reason")); err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.review(w, r, id, http.StatusUnprocessableEntity, "", msg, fields)
	}
	return back(w, r, "/qa/reviews/%d?done=disputed", id)
}

// Resolve answers POST /qa/reviews/{id}/resolve (form: resolution =
// upheld | adjusted, note, and for adjusted the ratings).
func (u *UI) Resolve(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "review")
	if err != nil {
		return err
	}
	if err := form(r); err != nil {
		return err
	}
	ctx := r.Context()
	a := httpx.Actor(ctx)
	rv, err := u.QA.Review(ctx, a, id)
	if err != nil {
		return err
	}
	card, err := u.QA.Scorecard(ctx, a, rv.ScorecardID)
	if err != nil {
		return err
	}
	in := qasvc.ResolveInput{Resolution: r.PostForm.Get("resolution"), Note: r.PostForm.Get("note")}
	if in.Resolution == qasvc.Adjust {
		in.Ratings = readRatings(r, card.Categories)
	}
	if _, err := u.QA.ResolveDispute(ctx, a, id, in); err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok {
			return err
		}
		return u.review(w, r, id, http.StatusUnprocessableEntity, "", msg, fields)
	}
	return back(w, r, "/qa/reviews/%d?done=resolved", id)
}

// AddCoaching answers POST /qa/coaching (form: agent_id, review_id, kind,
// body, follow_up) and returns to the review or the agent's page.
func (u *UI) AddCoaching(w http.ResponseWriter, r *http.Request) error {
	if err := form(r); err != nil {
		return err
	}
	in := qasvc.CoachingInput{AgentID: formID(r, "agent_id"), ReviewID: optID(r.PostForm.Get("review_id")), Kind: r.PostForm.Get("kind"),
		Body: r.PostForm.Get("body"), FollowUp: strings.TrimSpace(r.PostForm.Get("follow_up"))}
	if _, err := u.QA.AddCoaching(r.Context(), httpx.Actor(r.Context()), in); err != nil {
		msg, fields, ok := u.refused(r, err)
		if !ok || in.ReviewID == nil {
			return err
		}
		return u.review(w, r, *in.ReviewID, http.StatusUnprocessableEntity, "", msg, fields)
	}
	if in.ReviewID != nil {
		return back(w, r, "/qa/reviews/%d?done=noted", *in.ReviewID)
	}
	return back(w, r, "/qa/iqs")
}

type reviewRow struct {
	qasvc.Review
	ScoreText  string
	When       string
	StateLabel string
}

func (u *UI) rows(r *http.Request, list []qasvc.Review) []reviewRow {
	out := make([]reviewRow, len(list))
	for i, rv := range list {
		out[i] = reviewRow{Review: rv, ScoreText: pct(rv.Score), When: u.when(r, rv.SubmittedAt), StateLabel: stateLabels[rv.State]}
	}
	return out
}

// Mine answers GET /qa/mine: the agent's own reviews, coaching notes and
// quality score per week.
func (u *UI) Mine(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := httpx.Actor(ctx)
	list, err := u.QA.Reviews(ctx, a, qasvc.ReviewFilter{Mine: true})
	if err != nil {
		return err
	}
	notes, err := u.QA.CoachingFor(ctx, a, a.ID)
	if err != nil {
		return err
	}
	from, to := u.period()
	iqs, err := u.QA.IQS(ctx, a, qasvc.IQSQuery{From: from, To: to, By: "agent", Bucket: "week", AgentID: a.ID})
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "mine", "My reviews", "", "", map[string]any{"Reviews": u.rows(r, list), "Notes": notes, "IQS": iqsRows(iqs)})
}

// Disputes answers GET /qa/disputes: the disputed reviews a lead resolves.
func (u *UI) Disputes(w http.ResponseWriter, r *http.Request) error {
	list, err := u.QA.Reviews(r.Context(), httpx.Actor(r.Context()), qasvc.ReviewFilter{State: qasvc.StateDisputed})
	if err != nil {
		return err
	}
	return u.render(w, r, http.StatusOK, "disputes", "Disputes", "", "", map[string]any{"Reviews": u.rows(r, list)})
}

// Assignments answers GET /qa/assignments: the tickets sampled for the
// reviewer, with the scorecards that may score them.
func (u *UI) Assignments(w http.ResponseWriter, r *http.Request) error {
	return u.assignments(w, r, http.StatusOK, "")
}

func (u *UI) assignments(w http.ResponseWriter, r *http.Request, status int, problem string) error {
	ctx := r.Context()
	a := httpx.Actor(ctx)
	list, err := u.QA.MyAssignments(ctx, a)
	if err != nil {
		return err
	}
	cards, err := u.QA.Scorecards(ctx, a, false)
	if err != nil {
		return err
	}
	written, err := u.QA.Reviews(ctx, a, qasvc.ReviewFilter{ReviewerID: a.ID})
	if err != nil {
		return err
	}
	drafts := map[int64]int64{}
	for _, rv := range written {
		if rv.State == qasvc.StateDraft && rv.ReviewerID == a.ID {
			drafts[rv.TicketID] = rv.ID
		}
	}
	type row struct {
		qasvc.Assignment
		Week   string
		Draft  int64
		Reason string
	}
	rows := make([]row, len(list))
	for i, x := range list {
		rows[i] = row{Assignment: x, Week: x.Week.Format("2006-01-02"), Draft: drafts[x.TicketID], Reason: u.reasonText(r, x.Reason)}
	}
	return u.render(w, r, status, "assignments", "My assignments", "", problem, map[string]any{"Rows": rows, "Cards": cards})
}

// CoachingDone answers POST /qa/coaching/{id}/done (form: done = yes | no,
// review_id to return to).
func (u *UI) CoachingDone(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "coaching note")
	if err != nil {
		return err
	}
	if err := form(r); err != nil {
		return err
	}
	if err := u.QA.SetCoachingDone(r.Context(), httpx.Actor(r.Context()), id, r.PostForm.Get("done") != "no"); err != nil {
		return err
	}
	if rid := optID(r.PostForm.Get("review_id")); rid != nil {
		return back(w, r, "/qa/reviews/%d?done=noted", *rid)
	}
	return back(w, r, "/qa/iqs")
}
