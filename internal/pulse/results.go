package pulse

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/authz"
)

// Group is the aggregate of one group's answers: the whole survey or one
// team. When Shown is false the group has fewer answers than the survey's
// minimum (or is hidden so that it cannot be worked out by subtraction)
// and every figure is absent — not even its answer count is given.
type Group struct {
	TeamID       int64      `json:"team_id"` // 0: the whole survey, or agents in no team (Team says which)
	Team         string     `json:"team"`
	Invited      int        `json:"invited"`
	Shown        bool       `json:"shown"`
	Answers      int        `json:"answers,omitempty"`
	ResponseRate *float64   `json:"response_rate,omitempty"` // percent of the invited
	ENPS         *float64   `json:"enps,omitempty"`          // % promoters − % detractors, −100…100
	Promoters    *int       `json:"promoters,omitempty"`     // 9–10
	Passives     *int       `json:"passives,omitempty"`      // 7–8
	Detractors   *int       `json:"detractors,omitempty"`    // 0–6
	Distribution []int      `json:"distribution,omitempty"`  // answers per score 0…10
	Averages     []*float64 `json:"averages,omitempty"`      // per extra question; null: nobody rated it
}

// Results are a survey's aggregates. Comments are there only when the
// whole survey has at least the minimum of answers, in random order.
type Results struct {
	Survey   Survey   `json:"survey"`
	Overall  Group    `json:"overall"`
	Teams    []Group  `json:"teams"`
	Comments []string `json:"comments"`
}

// answerRow is one stored answer, read only to aggregate.
type answerRow struct {
	team    int64
	score   int
	ratings []int
	comment string
}

// Results aggregates a survey's answers for a manager.
func (s *Service) Results(ctx context.Context, actor authz.Actor, id int64) (Results, error) {
	if err := authz.Check(actor, authz.PulseManage); err != nil {
		return Results{}, err
	}
	sv, err := s.get(ctx, s.db, id)
	if err != nil {
		return Results{}, err
	}
	invited := map[int64]int{}
	names := map[int64]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT i.team_id, COALESCE(t.name, ''), COUNT(*) FROM pulse_invites i LEFT JOIN teams t ON t.id = i.team_id
		WHERE i.survey_id = ? GROUP BY i.team_id, t.name`, id)
	if err != nil {
		return Results{}, fmt.Errorf("pulse: results %d: %w", id, err)
	}
	for rows.Next() {
		var team int64
		var name string
		var n int
		if err := rows.Scan(&team, &name, &n); err != nil {
			rows.Close()
			return Results{}, fmt.Errorf("pulse: results %d: %w", id, err)
		}
		invited[team], names[team] = n, name
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Results{}, fmt.Errorf("pulse: results %d: %w", id, err)
	}
	var all []answerRow
	rows, err = s.db.QueryContext(ctx, `SELECT team_id, score, ratings, comment FROM pulse_answers WHERE survey_id = ?`, id)
	if err != nil {
		return Results{}, fmt.Errorf("pulse: results %d: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a answerRow
		var ratings string
		if err := rows.Scan(&a.team, &a.score, &ratings, &a.comment); err != nil {
			return Results{}, fmt.Errorf("pulse: results %d: %w", id, err)
		}
		if err := json.Unmarshal([]byte(ratings), &a.ratings); err != nil {
			return Results{}, fmt.Errorf("pulse: results %d ratings: %w", id, err)
		}
		all = append(all, a)
	}
	if err := rows.Err(); err != nil {
		return Results{}, fmt.Errorf("pulse: results %d: %w", id, err)
	}
	return aggregate(sv, invited, names, all), nil
}

// aggregate builds the results, applying the minimum group size.
func aggregate(sv Survey, invited map[int64]int, names map[int64]string, all []answerRow) Results {
	res := Results{Survey: sv, Teams: []Group{}, Comments: []string{}}
	total := 0
	for _, n := range invited {
		total += n
	}
	res.Overall = group(sv, 0, "", total, all)
	byTeam := map[int64][]answerRow{}
	for _, a := range all {
		byTeam[a.team] = append(byTeam[a.team], a)
	}
	var teams []int64
	for t := range invited {
		teams = append(teams, t)
	}
	sort.Slice(teams, func(i, j int) bool { return teams[i] < teams[j] })
	if len(teams) > 1 || (len(teams) == 1 && teams[0] != 0) {
		for _, t := range teams {
			res.Teams = append(res.Teams, group(sv, t, names[t], invited[t], byTeam[t]))
		}
	}
	suppress(res.Teams, len(all), sv.MinGroup)
	for i := range res.Teams {
		if !res.Teams[i].Shown {
			res.Teams[i] = Group{TeamID: res.Teams[i].TeamID, Team: res.Teams[i].Team, Invited: res.Teams[i].Invited}
		}
	}
	if res.Overall.Shown && sv.Comments {
		for _, a := range all {
			if a.comment != "" {
				res.Comments = append(res.Comments, a.comment)
			}
		}
		rand.Shuffle(len(res.Comments), func(i, j int) { res.Comments[i], res.Comments[j] = res.Comments[j], res.Comments[i] })
	}
	return res
}

// suppress hides every team below the minimum and then, while the hidden
// teams together hold fewer answers than the minimum but some, the
// smallest shown team too: otherwise the whole survey minus the shown
// teams would give a small group's figures by subtraction.
func suppress(teams []Group, total, min int) {
	hidden := total
	var shown []int
	for i, g := range teams {
		if g.Shown {
			hidden -= g.Answers
			shown = append(shown, i)
		}
	}
	if total < min {
		for i := range teams {
			teams[i].Shown = false
		}
		return
	}
	sort.SliceStable(shown, func(a, b int) bool { return teams[shown[a]].Answers < teams[shown[b]].Answers })
	for len(shown) > 0 && hidden > 0 && hidden < min {
		i := shown[0]
		shown = shown[1:]
		hidden += teams[i].Answers
		teams[i].Shown = false
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// group aggregates one group's answers; below the minimum it shows nothing.
func group(sv Survey, team int64, name string, invited int, as []answerRow) Group {
	g := Group{TeamID: team, Team: name, Invited: invited}
	if len(as) < sv.MinGroup {
		return g
	}
	g.Shown, g.Answers = true, len(as)
	rate := 0.0
	if invited > 0 {
		rate = round1(100 * float64(len(as)) / float64(invited))
	}
	g.ResponseRate = &rate
	g.Distribution = make([]int, 11)
	var pro, pas, det int
	sums := make([]int, len(sv.Questions))
	counts := make([]int, len(sv.Questions))
	for _, a := range as {
		g.Distribution[a.score]++
		switch {
		case a.score >= 9:
			pro++
		case a.score >= 7:
			pas++
		default:
			det++
		}
		for i, r := range a.ratings {
			if i < len(sums) && r > 0 {
				sums[i] += r
				counts[i]++
			}
		}
	}
	enps := round1(100*float64(pro)/float64(len(as)) - 100*float64(det)/float64(len(as)))
	g.ENPS, g.Promoters, g.Passives, g.Detractors = &enps, &pro, &pas, &det
	g.Averages = make([]*float64, len(sv.Questions))
	for i := range sums {
		if counts[i] > 0 {
			v := math.Round(100*float64(sums[i])/float64(counts[i])) / 100
			g.Averages[i] = &v
		}
	}
	return g
}

// WriteCSV writes the aggregates as CSV: one row for the whole survey and
// one per team; hidden groups have only their name and invited count.
func (r Results) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"group", "invited", "shown", "answers", "response_rate", "enps", "promoters", "passives", "detractors"}
	for i := 0; i <= 10; i++ {
		head = append(head, "score_"+strconv.Itoa(i))
	}
	for i := range r.Survey.Questions {
		head = append(head, fmt.Sprintf("average_q%d", i+1))
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	line := func(name string, g Group) []string {
		row := []string{csvSafe(name), strconv.Itoa(g.Invited), strconv.FormatBool(g.Shown)}
		if !g.Shown {
			return append(row, make([]string, len(head)-len(row))...)
		}
		row = append(row, strconv.Itoa(g.Answers), fnum(*g.ResponseRate), fnum(*g.ENPS),
			strconv.Itoa(*g.Promoters), strconv.Itoa(*g.Passives), strconv.Itoa(*g.Detractors))
		for _, n := range g.Distribution {
			row = append(row, strconv.Itoa(n))
		}
		for _, a := range g.Averages {
			if a == nil {
				row = append(row, "")
			} else {
				row = append(row, fnum(*a))
			}
		}
		return row
	}
	rows := [][]string{line("all", r.Overall)}
	for _, g := range r.Teams {
		name := g.Team
		if g.TeamID == 0 {
			name = "no team"
		}
		rows = append(rows, line(name, g))
	}
	for _, row := range rows {
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a team name from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
