package qa_test

import (
	"context"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/qa"
)

// Two reviewers score the same ticket blind; the lead sees the spread,
// agrees a score and closes the session; then both see everything.
func TestCalibrationBlindUntilClosed(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		card := e.scorecard(t)
		tk := e.solved(t, e.ana, "email", true, monday.Add(8*time.Hour), monday.Add(9*time.Hour))
		_, err := e.svc.CreateCalibration(ctx, e.rev1, qa.CalibrationInput{Name: "March", ScorecardID: card.ID, TicketIDs: []int64{tk}, ReviewerIDs: []int64{e.rev1.ID, e.rev2.ID}})
		wantCode(t, err, apperr.CodeForbidden)
		_, err = e.svc.CreateCalibration(ctx, e.lead, qa.CalibrationInput{Name: "March", ScorecardID: card.ID, TicketIDs: []int64{tk}, ReviewerIDs: []int64{e.rev1.ID, e.ana.ID}})
		wantCode(t, err, apperr.CodeInvalid)
		c, err := e.svc.CreateCalibration(ctx, e.lead, qa.CalibrationInput{Name: "March", ScorecardID: card.ID, TicketIDs: []int64{tk}, ReviewerIDs: []int64{e.rev1.ID, e.rev2.ID}})
		if err != nil {
			t.Fatal(err)
		}
		// Not a participant: not found.
		_, err = e.svc.Calibration(ctx, e.rev3, c.ID)
		wantCode(t, err, apperr.CodeNotFound)
		_, err = e.svc.StartCalibrationReview(ctx, e.rev3, c.ID, tk)
		wantCode(t, err, apperr.CodeNotFound)

		blind := func(rv, other int64, vals ...*int) qa.Review {
			t.Helper()
			r, err := e.svc.StartCalibrationReview(ctx, e.actor(rv), c.ID, tk)
			if err != nil {
				t.Fatal(err)
			}
			r, err = e.svc.SaveReview(ctx, e.actor(rv), r.ID, qa.SaveInput{Ratings: ratings(card, vals...), Submit: true})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r1 := blind(e.rev1.ID, e.rev2.ID, ip(1), ip(5), ip(3), ip(1)) // 100
		// Rev Two, before scoring, sees nothing of Rev One's.
		v, err := e.svc.Calibration(ctx, e.rev2, c.ID)
		if err != nil || !v.Blind || len(v.Reviews) != 0 {
			t.Fatalf("rev2's view = %+v, %v", v, err)
		}
		_, err = e.svc.Review(ctx, e.rev2, r1.ID)
		wantCode(t, err, apperr.CodeNotFound)
		_, err = e.svc.Spreads(ctx, e.rev2, c.ID)
		wantCode(t, err, apperr.CodeForbidden)
		r2 := blind(e.rev2.ID, e.rev1.ID, ip(0), ip(3), ip(2), ip(1)) // (0 + 1.5 + 1 + 2) / 8 = 56.25
		if *r2.Score != 56.25 {
			t.Fatalf("rev2's score = %v, want 56.25", *r2.Score)
		}
		// Still blind after submitting: each sees only their own.
		v, err = e.svc.Calibration(ctx, e.rev2, c.ID)
		if err != nil || !v.Blind || len(v.Reviews) != 1 || v.Reviews[0].ID != r2.ID {
			t.Fatalf("rev2's view after submitting = %+v, %v", v, err)
		}
		// Calibration scores are not reviews: they are not in the IQS nor
		// in the agent's list.
		if mine, _ := e.svc.Reviews(ctx, e.ana, qa.ReviewFilter{Mine: true}); len(mine) != 0 {
			t.Fatalf("agent sees %d calibration scores", len(mine))
		}
		// The lead sees both and the spread per category.
		sp, err := e.svc.Spreads(ctx, e.lead, c.ID)
		if err != nil || len(sp) != 4 {
			t.Fatalf("spreads = %+v, %v", sp, err)
		}
		want := []struct{ min, max, rng int }{{0, 1, 1}, {3, 5, 2}, {2, 3, 1}, {1, 1, 0}}
		for i, w := range want {
			if sp[i].Min != w.min || sp[i].Max != w.max || sp[i].Range != w.rng || len(sp[i].Ratings) != 2 {
				t.Errorf("spread %s = %+v, want %v", sp[i].Category, sp[i], w)
			}
		}
		if sp[1].Mean != 4 {
			t.Errorf("accuracy mean = %v, want 4", sp[1].Mean)
		}
		if _, err := e.svc.Agree(ctx, e.lead, c.ID, tk, qa.SaveInput{Ratings: ratings(card, ip(1), ip(4), ip(2), ip(1)), Comment: "Agreed"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.CloseCalibration(ctx, e.rev1, c.ID)
		wantCode(t, err, apperr.CodeForbidden)
		if _, err := e.svc.CloseCalibration(ctx, e.lead, c.ID); err != nil {
			t.Fatal(err)
		}
		v, err = e.svc.Calibration(ctx, e.rev2, c.ID)
		if err != nil || v.Blind || len(v.Reviews) != 2 || len(v.Agreed) != 1 || *v.Agreed[0].Score != 78.13 {
			t.Fatalf("rev2's view after closing = %+v, %v", v, err)
		}
		if _, err := e.svc.Review(ctx, e.rev2, r1.ID); err != nil {
			t.Fatal(err)
		}
		sp, err = e.svc.Spreads(ctx, e.rev2, c.ID)
		if err != nil || sp[1].Agreed == nil || *sp[1].Agreed != 4 {
			t.Fatalf("spread after closing = %+v, %v", sp, err)
		}
		// Closed: no more scoring.
		_, err = e.svc.StartCalibrationReview(ctx, e.rev1, c.ID, tk)
		wantCode(t, err, apperr.CodeConflict)
		// The IQS counts no calibration score.
		rows, err := e.svc.IQS(ctx, e.lead, qa.IQSQuery{From: monday, To: monday.AddDate(0, 0, 7), By: "agent"})
		if err != nil || len(rows) != 0 {
			t.Fatalf("IQS = %+v, %v", rows, err)
		}
	})
}

// A used scorecard is frozen: a change makes a new version, and the old
// review keeps its categories.
func TestScorecardVersions(t *testing.T) {
	dbtest.ForEachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := setup(t, d)
		card := e.scorecard(t)
		in := qa.ScorecardInput{Name: "Email quality", Channel: "email", Categories: []qa.Category{{Name: "Accuracy", Weight: 1, Scale: qa.ScaleFive}}}
		same, err := e.svc.UpdateScorecard(ctx, e.lead, card.ID, in)
		if err != nil || same.ID != card.ID || same.Version != 1 || len(same.Categories) != 1 {
			t.Fatalf("unused update = %+v, %v", same, err)
		}
		tk := e.solved(t, e.ana, "email", false, monday.Add(8*time.Hour), monday.Add(9*time.Hour))
		r, err := e.svc.StartReview(ctx, e.lead, qa.StartInput{TicketID: tk, ScorecardID: card.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SaveReview(ctx, e.lead, r.ID, qa.SaveInput{Ratings: []qa.Rating{{CategoryID: same.Categories[0].ID, Rating: ip(4)}}, Submit: true}); err != nil {
			t.Fatal(err)
		}
		in.Categories = append(in.Categories, qa.Category{Name: "Tone", Weight: 1, Scale: qa.ScaleThree})
		v2, err := e.svc.UpdateScorecard(ctx, e.lead, card.ID, in)
		if err != nil || v2.ID == card.ID || v2.Version != 2 || *v2.PreviousID != card.ID || !v2.Active || len(v2.Categories) != 2 {
			t.Fatalf("used update = %+v, %v", v2, err)
		}
		old, err := e.svc.Scorecard(ctx, e.ana, card.ID)
		if err != nil || old.Active || !old.Used || len(old.Categories) != 1 {
			t.Fatalf("old version = %+v, %v", old, err)
		}
		_, err = e.svc.UpdateScorecard(ctx, e.lead, card.ID, in)
		wantCode(t, err, apperr.CodeConflict)
		got, err := e.svc.Review(ctx, e.ana, r.ID)
		if err != nil || got.ScorecardID != card.ID || *got.Score != 75 {
			t.Fatalf("old review = %+v, %v", got, err)
		}
		// A retired version scores no new review; a chat-only card no email ticket.
		tk2 := e.solved(t, e.bo, "email", false, monday.Add(8*time.Hour), monday.Add(9*time.Hour))
		_, err = e.svc.StartReview(ctx, e.lead, qa.StartInput{TicketID: tk2, ScorecardID: card.ID})
		wantCode(t, err, apperr.CodeInvalid)
		chat, err := e.svc.CreateScorecard(ctx, e.lead, qa.ScorecardInput{Name: "Chat", Channel: "chat", Categories: in.Categories})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.StartReview(ctx, e.lead, qa.StartInput{TicketID: tk2, ScorecardID: chat.ID})
		wantCode(t, err, apperr.CodeInvalid)
		// Nobody reviews their own ticket, a manager neither.
		own := e.solved(t, e.lead, "email", false, monday.Add(8*time.Hour), monday.Add(9*time.Hour))
		_, err = e.svc.StartReview(ctx, e.lead, qa.StartInput{TicketID: own, ScorecardID: v2.ID})
		wantCode(t, err, apperr.CodeForbidden)
		// Validation names the fields.
		_, err = e.svc.CreateScorecard(ctx, e.lead, qa.ScorecardInput{Name: "", Categories: []qa.Category{{Name: "x", Weight: 0, Scale: "ten"}}})
		if e := apperr.As(err); e == nil || e.Fields["name"] == "" || e.Fields["categories.0.weight"] == "" || e.Fields["categories.0.scale"] == "" {
			t.Fatalf("validation = %v", err)
		}
		_, err = e.svc.CreateScorecard(ctx, e.ana, in)
		wantCode(t, err, apperr.CodeForbidden)
	})
}
