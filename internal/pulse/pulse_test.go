package pulse_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/pulse"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// outbox keeps the invitations queued in committed transactions, as the
// email outbox would before sending them.
type outbox struct {
	mu   sync.Mutex
	mail []pulse.Mail
}

func (o *outbox) QueuePulse(ctx context.Context, tx *db.Tx, m pulse.Mail) error {
	tx.AfterCommit(func() { o.mu.Lock(); o.mail = append(o.mail, m); o.mu.Unlock() })
	return nil
}

type env struct {
	d     *db.DB
	clk   *clock
	svc   *pulse.Service
	out   *outbox
	lead  authz.Actor
	teams map[string]int64
	// members per team, as actors that may answer
	members map[string][]authz.Actor
}

func agentActor(id int64, role authz.Role) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: id, Role: role}
}

// setup makes a lead (in no team), team Small of 3 agents (one Norwegian),
// teams Big and Other of 5 each, and a collaborator in Big who is never
// invited.
func setup(t *testing.T, d *db.DB) *env {
	t.Helper()
	ctx := t.Context()
	clk := &clock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	svc, err := pulse.NewService(d, clk.now, "https://help.example.com/", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	out := &outbox{}
	svc.SetMailer(out)
	e := &env{d: d, clk: clk, svc: svc, out: out, teams: map[string]int64{}, members: map[string][]authz.Actor{}}
	n := 0
	addAgent := func(role authz.Role, locale string) int64 {
		n++
		var id int64
		err := d.Write(ctx, func(tx *db.Tx) error {
			var err error
			id, err = tx.InsertID(ctx, `INSERT INTO agents (email, name, role, locale, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)`,
				fmt.Sprintf("a%d@ombud.test", n), fmt.Sprintf("Agent %d", n), string(role), locale)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	e.lead = agentActor(addAgent(authz.Manager, "en"), authz.Manager)
	for _, team := range []struct {
		name string
		size int
	}{{"Small", 3}, {"Big", 5}, {"Other", 5}} {
		err := d.Write(ctx, func(tx *db.Tx) error {
			id, err := tx.InsertID(ctx, `INSERT INTO teams (name, created_at, updated_at) VALUES (?, 0, 0)`, team.name)
			e.teams[team.name] = id
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range team.size {
			locale := "en"
			if team.name == "Small" && i == 0 {
				locale = "nb"
			}
			id := addAgent(authz.Agent, locale)
			e.members[team.name] = append(e.members[team.name], agentActor(id, authz.Agent))
			e.join(t, team.name, id)
		}
	}
	e.join(t, "Big", addAgent(authz.Collaborator, "en"))
	return e
}

func (e *env) join(t *testing.T, team string, agent int64) {
	t.Helper()
	if err := e.d.Write(t.Context(), func(tx *db.Tx) error {
		_, err := tx.ExecContext(t.Context(), `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, e.teams[team], agent)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func score(n int) *int { return &n }

func TestCreateValidatesAndInvites(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := t.Context()
		bad := []struct {
			name  string
			in    pulse.SurveyInput
			field string
		}{
			{"no title", pulse.SurveyInput{}, "title"},
			{"group of two", pulse.SurveyInput{Title: "Q1", MinGroup: 2}, "min_group"},
			{"closes first", pulse.SurveyInput{Title: "Q1", OpensAt: e.clk.now(), ClosesAt: e.clk.now().Add(-time.Hour)}, "closes_at"},
			{"no such team", pulse.SurveyInput{Title: "Q1", TeamIDs: []int64{999}}, "team_ids"},
			{"too many questions", pulse.SurveyInput{Title: "Q1", Questions: make([]string, 11)}, "questions"},
		}
		for _, tt := range bad {
			_, err := e.svc.Create(ctx, e.lead, tt.in)
			if ae := apperr.As(err); ae == nil || ae.Fields[tt.field] == "" {
				t.Errorf("%s: got %v, want a problem with %s", tt.name, err, tt.field)
			}
		}
		if _, err := e.svc.Create(ctx, e.members["Big"][0], pulse.SurveyInput{Title: "Q1"}); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("an agent created a survey: %v", err)
		}
		sv, err := e.svc.Create(ctx, e.lead, pulse.SurveyInput{Title: "Spring pulse", TeamIDs: []int64{e.teams["Small"]}, Questions: []string{"I have the tools I need", " "}})
		if err != nil {
			t.Fatal(err)
		}
		if sv.Invited != 3 || sv.MinGroup != pulse.DefaultMinGroup || sv.State != pulse.StateOpen || len(sv.Questions) != 1 || !sv.Comments {
			t.Fatalf("survey: %+v", sv)
		}
		if !sv.ClosesAt.Equal(e.clk.now().Add(14 * 24 * time.Hour)) {
			t.Fatalf("closes at %v", sv.ClosesAt)
		}
		if len(e.out.mail) != 3 {
			t.Fatalf("%d invitations, want 3", len(e.out.mail))
		}
		var nb int
		for _, m := range e.out.mail {
			if !strings.Contains(m.Body, fmt.Sprintf("https://help.example.com/feedback/pulse/%d/answer", sv.ID)) {
				t.Errorf("invitation without the link: %q", m.Body)
			}
			if strings.Contains(m.Subject, "Team pulse") {
				continue
			}
			nb++
			if strings.Contains(m.Body, "anonymous") {
				t.Errorf("the Norwegian invitation is in English: %q", m.Body)
			}
		}
		if nb != 1 {
			t.Errorf("%d invitations not in English, want the Norwegian agent's one", nb)
		}
		// Everyone: 13 agents and the lead; not the collaborator.
		all, err := e.svc.Create(ctx, e.lead, pulse.SurveyInput{Title: "Everyone", MinGroup: 3})
		if err != nil {
			t.Fatal(err)
		}
		if all.Invited != 14 {
			t.Fatalf("invited %d, want 14", all.Invited)
		}
	})
}

func TestAnswerOnceWhileOpen(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := t.Context()
		sv, err := e.svc.Create(ctx, e.lead, pulse.SurveyInput{Title: "Pulse", TeamIDs: []int64{e.teams["Small"]}, Questions: []string{"Workload is fair"}, Comments: new(false),
			OpensAt: e.clk.now().Add(time.Hour), ClosesAt: e.clk.now().Add(48 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		a := e.members["Small"][0]
		if err := e.svc.Answer(ctx, a, sv.ID, pulse.AnswerInput{Score: score(9)}); !apperr.Is(err, apperr.CodeUnprocessable) {
			t.Fatalf("answered before opening: %v", err)
		}
		e.clk.add(2 * time.Hour)
		invalid := []struct {
			in    pulse.AnswerInput
			field string
		}{
			{pulse.AnswerInput{}, "score"},
			{pulse.AnswerInput{Score: score(11)}, "score"},
			{pulse.AnswerInput{Score: score(5), Ratings: []int{6}}, "ratings.0"},
			{pulse.AnswerInput{Score: score(5), Ratings: []int{1, 2}}, "ratings"},
			{pulse.AnswerInput{Score: score(5), Comment: "hi"}, "comment"},
		}
		for _, tt := range invalid {
			if ae := apperr.As(e.svc.Answer(ctx, a, sv.ID, tt.in)); ae == nil || ae.Fields[tt.field] == "" {
				t.Errorf("%+v: got %v, want a problem with %s", tt.in, ae, tt.field)
			}
		}
		if err := e.svc.Answer(ctx, a, sv.ID, pulse.AnswerInput{Score: score(9), Ratings: []int{4}}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Answer(ctx, a, sv.ID, pulse.AnswerInput{Score: score(0)}); !apperr.Is(err, apperr.CodeConflict) {
			t.Fatalf("a second answer: %v", err)
		}
		if err := e.svc.Answer(ctx, e.members["Big"][0], sv.ID, pulse.AnswerInput{Score: score(0)}); !apperr.Is(err, apperr.CodeNotFound) {
			t.Fatalf("an agent not invited answered: %v", err)
		}
		inv, err := e.svc.Invitations(ctx, a)
		if err != nil || len(inv) != 1 || !inv[0].Answered {
			t.Fatalf("invitations: %+v %v", inv, err)
		}
		if _, err := e.svc.Close(ctx, e.lead, sv.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Answer(ctx, e.members["Small"][1], sv.ID, pulse.AnswerInput{Score: score(3)}); !apperr.Is(err, apperr.CodeUnprocessable) {
			t.Fatalf("answered a closed survey: %v", err)
		}
		// Nothing ties the answer to the agent: no agent and no time on it.
		var n int
		if err := d.QueryRowContext(ctx, `SELECT COUNT(*) FROM pulse_answers`).Scan(&n); err != nil || n != 1 {
			t.Fatalf("answers: %d %v", n, err)
		}
		rows, err := d.QueryContext(ctx, `SELECT * FROM pulse_answers`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		rows.Close()
		if got := strings.Join(cols, ","); got != "id,survey_id,team_id,score,ratings,comment" {
			t.Fatalf("answer columns %s", got)
		}
	})
}

// answerAll has the first n members of a team answer with the scores.
func (e *env) answerAll(t *testing.T, id int64, team string, scores ...int) {
	t.Helper()
	for i, s := range scores {
		if err := e.svc.Answer(t.Context(), e.members[team][i], id, pulse.AnswerInput{Score: score(s), Ratings: []int{s%5 + 1}, Comment: fmt.Sprintf("%s comment %d", team, i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResultsOnlyForGroupsOfTheMinimum(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		e := setup(t, d)
		ctx := t.Context()
		small, err := e.svc.Create(ctx, e.lead, pulse.SurveyInput{Title: "Small team", TeamIDs: []int64{e.teams["Small"]}, Questions: []string{"Q"}})
		if err != nil {
			t.Fatal(err)
		}
		e.answerAll(t, small.ID, "Small", 10, 2, 8)
		res, err := e.svc.Results(ctx, e.lead, small.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Overall.Shown || res.Overall.ENPS != nil || res.Overall.Answers != 0 || len(res.Comments) != 0 || res.Overall.Distribution != nil {
			t.Fatalf("a group of 3 of minimum 5 shows %+v, comments %v", res.Overall, res.Comments)
		}
		var csv bytes.Buffer
		if err := res.WriteCSV(&csv); err != nil {
			t.Fatal(err)
		}
		if lines := strings.Split(strings.TrimSpace(csv.String()), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "all,3,false,,,") {
			t.Fatalf("csv:\n%s", csv.String())
		}
		if _, err := e.svc.Results(ctx, e.members["Small"][0], small.ID); !apperr.Is(err, apperr.CodeForbidden) {
			t.Fatalf("an agent read results: %v", err)
		}

		// Small (3), Big (5), Other (5) all answer; the lead does not.
		all, err := e.svc.Create(ctx, e.lead, pulse.SurveyInput{Title: "Everyone", Questions: []string{"Q"}})
		if err != nil {
			t.Fatal(err)
		}
		e.answerAll(t, all.ID, "Small", 10, 2, 8)
		e.answerAll(t, all.ID, "Big", 9, 9, 10, 7, 6)
		res, err = e.svc.Results(ctx, e.lead, all.ID)
		if err != nil {
			t.Fatal(err)
		}
		// 8 answers: promoters 10,9,9,10 (4), detractors 2,6 (2): 50 − 25 = 25.
		if !res.Overall.Shown || *res.Overall.ENPS != 25 || res.Overall.Answers != 8 || *res.Overall.ResponseRate != 57.1 || len(res.Comments) != 8 {
			t.Fatalf("overall: %+v comments %d", res.Overall, len(res.Comments))
		}
		if got := res.Overall.Distribution; got[10] != 2 || got[9] != 2 || got[2] != 1 {
			t.Fatalf("distribution %v", got)
		}
		// Big alone has 5, but showing it would give Small's 3 by
		// subtraction: every team stays hidden.
		for _, g := range res.Teams {
			if g.Shown {
				t.Fatalf("team %s shown: the rest (%d answers) could be worked out", g.Team, 8-g.Answers)
			}
		}
		e.answerAll(t, all.ID, "Other", 0, 1, 2, 3, 4)
		res, err = e.svc.Results(ctx, e.lead, all.ID)
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]bool{}
		for _, g := range res.Teams {
			shown[g.Team] = g.Shown
			if g.Team == "Big" && g.Shown && *g.ENPS != 40 { // 9,9,10 promoters, 6 detractor: 60 − 20
				t.Fatalf("Big: %+v", g)
			}
		}
		// Small hidden; one of Big and Other hidden too, so the hidden
		// answers (3 + 5) reach the minimum.
		if shown["Small"] || shown["Big"] == shown["Other"] || len(res.Teams) != 4 {
			t.Fatalf("shown %v", shown)
		}
		js, _ := json.Marshal(res)
		for _, g := range res.Teams {
			if !g.Shown && g.Answers != 0 {
				t.Fatalf("hidden team %s tells its answers: %s", g.Team, js)
			}
		}
	})
}
