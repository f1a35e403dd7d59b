package qa_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/qa"
)

func (e *env) actor(id int64) authz.Actor {
	for _, a := range []authz.Actor{e.ana, e.bo, e.cy, e.rev1, e.rev2, e.rev3, e.lead} {
		if a.ID == id {
			return a
		}
	}
	panic("no actor")
}

// A reviewer scores sampled tickets, one with a critical fail; the agent
// disputes it and the lead adjusts it; the IQS follows. Every figure is
// hand-computed (score_test.go's card).
func TestReviewDisputeIQS(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		card := e.scorecard(t)
		t1 := e.solved(t, e.ana, "email", true, monday.Add(9*time.Hour), monday.Add(10*time.Hour))
		t2 := e.solved(t, e.ana, "email", true, monday.Add(11*time.Hour), monday.Add(12*time.Hour))
		if _, err := e.svc.SaveSampling(ctx, e.lead, qa.Sampling{PerAgent: 2}); err != nil {
			t.Fatal(err)
		}
		// Without a sampled assignment a QA reviewer may not review.
		_, err := e.svc.StartReview(ctx, e.rev1, qa.StartInput{TicketID: t1, ScorecardID: card.ID})
		wantCode(t, err, apperr.CodeForbidden)
		e.clk.set(monday.AddDate(0, 0, 8))
		res, err := e.svc.Sample(ctx, e.lead, monday)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Assigned) != 2 {
			t.Fatalf("assigned %d, want 2", len(res.Assigned))
		}
		reviewerOf := map[int64]authz.Actor{}
		for _, a := range res.Assigned {
			reviewerOf[a.TicketID] = e.actor(a.ReviewerID)
		}
		// The first fails Compliance (critical): 0. The second is 78.13.
		score := func(tk int64, vals ...*int) qa.Review {
			t.Helper()
			rv := reviewerOf[tk]
			r, err := e.svc.StartReview(ctx, rv, qa.StartInput{TicketID: tk, ScorecardID: card.ID})
			if err != nil {
				t.Fatal(err)
			}
			// A draft first, then the submission.
			if _, err := e.svc.SaveReview(ctx, rv, r.ID, qa.SaveInput{Ratings: ratings(card, vals[0])}); err != nil {
				t.Fatal(err)
			}
			r, err = e.svc.SaveReview(ctx, rv, r.ID, qa.SaveInput{Ratings: ratings(card, vals...), Comment: "Thanks", Submit: true})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		// The agent does not see a draft.
		rv1 := reviewerOf[t1]
		draft, err := e.svc.StartReview(ctx, rv1, qa.StartInput{TicketID: t1, ScorecardID: card.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Review(ctx, e.ana, draft.ID)
		wantCode(t, err, apperr.CodeNotFound)
		// Another reviewer may not edit it.
		other := e.rev1
		if rv1.ID == e.rev1.ID {
			other = e.rev2
		}
		_, err = e.svc.SaveReview(ctx, other, draft.ID, qa.SaveInput{Ratings: ratings(card, ip(1), ip(5), ip(3), ip(1)), Submit: true})
		wantCode(t, err, apperr.CodeNotFound)

		failed := score(t1, ip(1), ip(5), ip(3), ip(0))
		if failed.ID != draft.ID || *failed.Score != 0 || !failed.CriticalFailed || failed.State != qa.StateSubmitted || failed.AgentID != e.ana.ID {
			t.Fatalf("failed review = %+v", failed)
		}
		good := score(t2, ip(1), ip(4), ip(2), ip(1))
		if *good.Score != 78.13 || good.CriticalFailed {
			t.Fatalf("score = %v, want 78.13", *good.Score)
		}
		// Submitted twice: a conflict.
		_, err = e.svc.SaveReview(ctx, reviewerOf[t2], good.ID, qa.SaveInput{Ratings: ratings(card, ip(1), ip(4), ip(2), ip(1)), Submit: true})
		wantCode(t, err, apperr.CodeConflict)

		// IQS of Ana: (0 + 78.13) / 2 = 39.065 → 39.07 (rounded to 2 decimals).
		week := qa.IQSQuery{From: monday, To: monday.AddDate(0, 0, 14), By: "agent"}
		rows, err := e.svc.IQS(ctx, e.lead, week)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Key != e.ana.ID || rows[0].Reviews != 2 || rows[0].CriticalFailed != 1 || rows[0].IQS != 39.07 {
			t.Fatalf("IQS = %+v", rows)
		}
		// Ana reads her own reviews, not Bo's IQS; Bo sees none of Ana's.
		mine, err := e.svc.Reviews(ctx, e.ana, qa.ReviewFilter{Mine: true})
		if err != nil || len(mine) != 2 {
			t.Fatalf("Ana's reviews = %d, %v", len(mine), err)
		}
		bos, err := e.svc.Reviews(ctx, e.bo, qa.ReviewFilter{Mine: true})
		if err != nil || len(bos) != 0 {
			t.Fatalf("Bo's reviews = %d, %v", len(bos), err)
		}
		_, err = e.svc.Reviews(ctx, e.bo, qa.ReviewFilter{AgentID: e.ana.ID})
		wantCode(t, err, apperr.CodeForbidden)
		_, err = e.svc.Review(ctx, e.bo, failed.ID)
		wantCode(t, err, apperr.CodeNotFound)
		_, err = e.svc.IQS(ctx, e.bo, qa.IQSQuery{From: week.From, To: week.To, By: "agent", AgentID: e.ana.ID})
		wantCode(t, err, apperr.CodeForbidden)
		own, err := e.svc.IQS(ctx, e.ana, qa.IQSQuery{From: week.From, To: week.To, By: "agent", AgentID: e.ana.ID})
		if err != nil || len(own) != 1 || own[0].IQS != 39.07 {
			t.Fatalf("Ana's own IQS = %+v, %v", own, err)
		}
		// Bo may not dispute Ana's review.
		_, err = e.svc.Dispute(ctx, e.bo, failed.ID, "not mine")
		wantCode(t, err, apperr.CodeNotFound)

		// Ana acknowledges the good one and disputes the failed one.
		if r, err := e.svc.Acknowledge(ctx, e.ana, good.ID); err != nil || r.State != qa.StateAcknowledged {
			t.Fatalf("acknowledge = %+v, %v", r, err)
		}
		_, err = e.svc.Dispute(ctx, e.ana, good.ID, "changed my mind")
		wantCode(t, err, apperr.CodeConflict)
		_, err = e.svc.Dispute(ctx, e.ana, failed.ID, " ")
		wantCode(t, err, apperr.CodeInvalid)
		disp, err := e.svc.Dispute(ctx, e.ana, failed.ID, "The customer had agreed to the terms by phone.")
		if err != nil || disp.State != qa.StateDisputed {
			t.Fatalf("dispute = %+v, %v", disp, err)
		}
		// A reviewer may not resolve; the lead adjusts Compliance to pass.
		_, err = e.svc.ResolveDispute(ctx, e.rev1, failed.ID, qa.ResolveInput{Resolution: qa.Uphold})
		wantCode(t, err, apperr.CodeForbidden)
		_, err = e.svc.ResolveDispute(ctx, e.lead, failed.ID, qa.ResolveInput{Resolution: "maybe"})
		wantCode(t, err, apperr.CodeInvalid)
		adj, err := e.svc.ResolveDispute(ctx, e.lead, failed.ID, qa.ResolveInput{Resolution: qa.Adjust, Note: "Phone consent counts.",
			Ratings: ratings(card, ip(1), ip(5), ip(3), ip(1))})
		if err != nil {
			t.Fatal(err)
		}
		if adj.State != qa.StateResolved || *adj.Score != 100 || *adj.OriginalScore != 0 || adj.CriticalFailed || adj.Resolution != qa.Adjust {
			t.Fatalf("adjusted = %+v", adj)
		}
		// IQS now (100 + 78.13) / 2 = 89.065 → 89.07; team the same.
		rows, err = e.svc.IQS(ctx, e.lead, qa.IQSQuery{From: week.From, To: week.To, By: "team", Bucket: "week"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Key != e.team || rows[0].Name != "Support" || rows[0].IQS != 89.07 || rows[0].CriticalFailed != 0 || !rows[0].Period.Equal(monday.AddDate(0, 0, 7)) {
			t.Fatalf("team IQS = %+v", rows)
		}
		// Coaching: a one-to-one item about the review; Ana reads hers, Bo not.
		c, err := e.svc.AddCoaching(ctx, e.lead, qa.CoachingInput{AgentID: e.ana.ID, ReviewID: &failed.ID, Kind: qa.CoachOneToOne, Body: "Talk about phone consent", FollowUp: "2026-03-20"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.AddCoaching(ctx, e.lead, qa.CoachingInput{AgentID: e.bo.ID, ReviewID: &failed.ID, Kind: qa.CoachNote, Body: "x"})
		wantCode(t, err, apperr.CodeInvalid)
		_, err = e.svc.AddCoaching(ctx, e.rev1, qa.CoachingInput{AgentID: e.ana.ID, Kind: qa.CoachNote, Body: "x"})
		wantCode(t, err, apperr.CodeForbidden)
		notes, err := e.svc.CoachingFor(ctx, e.ana, e.ana.ID)
		if err != nil || len(notes) != 1 || notes[0].ID != c.ID || notes[0].FollowUp != "2026-03-20" || *notes[0].ReviewID != failed.ID {
			t.Fatalf("coaching = %+v, %v", notes, err)
		}
		_, err = e.svc.CoachingFor(ctx, e.bo, e.ana.ID)
		wantCode(t, err, apperr.CodeForbidden)
		if err := e.svc.SetCoachingDone(ctx, e.lead, c.ID, true); err != nil {
			t.Fatal(err)
		}
	})
}

// Sampling never gives anyone their own tickets, spreads the picks
// evenly, honours the filters and tops a week up without repeats.
func TestSampling(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		h := func(d, hr int) time.Time { return monday.AddDate(0, 0, d).Add(time.Duration(hr) * time.Hour) }
		for _, who := range []authz.Actor{e.ana, e.bo, e.cy} {
			for i := range 4 {
				e.solved(t, who, "email", false, h(i, 8), h(i, 9))
			}
		}
		// Rev One also handled two tickets: never their own to review.
		e.solved(t, e.rev1, "email", false, h(1, 8), h(1, 10))
		e.solved(t, e.rev1, "email", false, h(2, 8), h(2, 10))
		// Solved the week after: not in this week's sample.
		e.solved(t, e.ana, "email", false, h(7, 8), h(7, 9))
		if _, err := e.svc.SaveSampling(ctx, e.lead, qa.Sampling{PerAgent: 2}); err != nil {
			t.Fatal(err)
		}
		_, err := e.svc.Sample(ctx, e.rev1, monday)
		wantCode(t, err, apperr.CodeForbidden)
		res, err := e.svc.Sample(ctx, e.lead, monday.Add(50*time.Hour)) // any time in the week
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Assigned) != 8 || !res.Week.Equal(monday) {
			t.Fatalf("assigned %d in %v, want 8 in %v", len(res.Assigned), res.Week, monday)
		}
		perAgent := map[int64]int{}
		perReviewer := map[int64]int{}
		for _, a := range res.Assigned {
			if a.ReviewerID == a.AgentID {
				t.Errorf("ticket %d of %s assigned to its own agent", a.TicketID, a.AgentName)
			}
			if a.Reason != "random" {
				t.Errorf("reason %q", a.Reason)
			}
			perAgent[a.AgentID]++
			perReviewer[a.ReviewerID]++
		}
		for _, who := range []int64{e.ana.ID, e.bo.ID, e.cy.ID, e.rev1.ID} {
			if perAgent[who] != 2 {
				t.Errorf("agent %d: %d picks, want 2", who, perAgent[who])
			}
		}
		// 8 over 3 reviewers: 3, 3, 2 in some order.
		lo, hi := 99, 0
		for _, r := range []int64{e.rev1.ID, e.rev2.ID, e.rev3.ID} {
			lo, hi = min(lo, perReviewer[r]), max(hi, perReviewer[r])
		}
		if lo != 2 || hi != 3 {
			t.Errorf("reviewer loads %v: want an even spread (2–3)", perReviewer)
		}
		load, err := e.svc.Workload(ctx, e.lead, monday)
		if err != nil || len(load) != 3 || load[0].Assigned+load[1].Assigned+load[2].Assigned != 8 || load[0].Open != load[0].Assigned {
			t.Fatalf("workload = %+v, %v", load, err)
		}
		// Again: the week is full, nothing is picked twice.
		again, err := e.svc.Sample(ctx, e.lead, monday)
		if err != nil || len(again.Assigned) != 0 {
			t.Fatalf("second run assigned %d, %v", len(again.Assigned), err)
		}
		mine, err := e.svc.MyAssignments(ctx, e.rev2)
		if err != nil || len(mine) != perReviewer[e.rev2.ID] {
			t.Fatalf("rev2's assignments = %d, %v", len(mine), err)
		}
		_, err = e.svc.MyAssignments(ctx, e.ana)
		wantCode(t, err, apperr.CodeForbidden)
	})
}

func TestSamplingFilters(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		h := func(d, hr int) time.Time { return monday.AddDate(0, 0, d).Add(time.Duration(hr) * time.Hour) }
		quick := e.solved(t, e.ana, "email", true, h(0, 8), h(0, 9))
		slow := e.solved(t, e.ana, "email", true, h(0, 8), h(2, 9))    // 49 hours
		chat := e.solved(t, e.ana, "chat", true, h(1, 8), h(1, 9))     // chat
		other := e.solved(t, e.cy, "email", false, h(1, 8), h(1, 9))   // not in the team
		reopened := e.solved(t, e.bo, "email", true, h(1, 8), h(1, 9)) // reopened, solved again
		e.clk.set(h(1, 12))
		e.status(t, reopened, "open")
		e.clk.set(h(1, 13))
		e.status(t, reopened, "solved")
		bad := e.solved(t, e.bo, "email", true, h(2, 8), h(2, 9))
		good := e.solved(t, e.bo, "email", true, h(2, 8), h(2, 9))
		for tk, score := range map[int64]int{bad: 1, good: 5} {
			if err := d.Write(ctx, func(tx *db.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO csat_surveys (ticket_id, customer_id, channel, scale, requested_at, score, rated_at)
					SELECT id, requester_id, 'email', 'good_bad', 1, ?, 2 FROM tickets WHERE id = ?`, score, tk)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name string
			st   qa.Sampling
			want []int64
		}{
			{"bad csat", qa.Sampling{PerAgent: 5, BadCSAT: true}, []int64{bad}},
			{"long resolution", qa.Sampling{PerAgent: 5, MinResolutionHours: 24}, []int64{slow}},
			{"reopened", qa.Sampling{PerAgent: 5, Reopened: true}, []int64{reopened}},
			{"channel", qa.Sampling{PerAgent: 5, Channel: "chat"}, []int64{chat}},
			{"team", qa.Sampling{PerAgent: 5, TeamID: &e.team, Channel: "email"}, []int64{quick, good}},
		}
		_ = other
		for _, tt := range tests {
			if _, err := e.svc.SaveSampling(ctx, e.lead, tt.st); err != nil {
				t.Fatal(err)
			}
			res, err := e.svc.Sample(ctx, e.lead, monday)
			if err != nil {
				t.Fatal(err)
			}
			got := map[int64]bool{}
			for _, a := range res.Assigned {
				got[a.TicketID] = true
			}
			if len(got) != len(tt.want) {
				t.Errorf("%s: picked %v, want %v", tt.name, got, tt.want)
			}
			for _, w := range tt.want {
				if !got[w] {
					t.Errorf("%s: picked %v, want %v", tt.name, got, tt.want)
				}
			}
		}
		_, err := e.svc.SaveSampling(ctx, e.lead, qa.Sampling{PerAgent: 0, Channel: "fax"})
		wantCode(t, err, apperr.CodeInvalid)
	})
}

// The weekly job samples last week once, only when sampling is on.
func TestRunWeekly(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		e.solved(t, e.ana, "email", false, monday.Add(8*time.Hour), monday.Add(9*time.Hour))
		next := monday.AddDate(0, 0, 7).Add(time.Hour)
		if err := e.svc.RunWeekly(ctx, next); err != nil {
			t.Fatal(err)
		}
		if a, _ := e.svc.Assignments(ctx, e.lead, monday); len(a) != 0 {
			t.Fatalf("sampled while off: %d", len(a))
		}
		if _, err := e.svc.SaveSampling(ctx, e.lead, qa.Sampling{Enabled: true, PerAgent: 1}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := e.svc.RunWeekly(ctx, next); err != nil {
				t.Fatal(err)
			}
		}
		if a, _ := e.svc.Assignments(ctx, e.lead, monday); len(a) != 1 {
			t.Fatalf("weekly job assigned %d, want 1", len(a))
		}
	})
}
