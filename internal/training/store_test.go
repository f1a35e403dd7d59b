package training_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/training"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func actorOf(a agent.Agent) authz.Actor {
	return authz.Actor{Kind: authz.KindAgent, ID: a.ID, Role: a.Role, Name: a.Name}
}

func code(err error) apperr.Code {
	var e *apperr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestTrainingStore runs a certification through its life on both engines
// with a moving clock: a lead creates it, assigns it, reminders go out once
// per stage in the agent's zone, completing it grants the skill routing
// reads, expiry takes it away (both audited); an onboarding checklist is
// started and ticked by its owners; agents see only their own.
func TestTrainingStore(t *testing.T) {
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		t.Fatal(err)
	}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			ctx := context.Background()
			var now atomic.Int64
			set := func(tm time.Time) { now.Store(tm.UnixMilli()) }
			set(time.Date(2030, 3, 1, 9, 0, 0, 0, oslo))
			clock := func() time.Time { return time.UnixMilli(now.Load()).UTC() }
			e := apptest.NewWithClock(t, engine, clock, nil)
			svc := e.Sys.Training
			lead, ag := actorOf(e.Agents[authz.Manager]), actorOf(e.Agents[authz.Agent])
			zone, nb := "Europe/Oslo", "nb"
			if _, err := e.Sys.Agents.UpdateAgent(ctx, authz.System, ag.ID, agent.AgentPatch{TimeZone: &zone, Locale: &nb}); err != nil {
				t.Fatal(err)
			}
			hasSkill := func(skill string) bool {
				a, err := e.Sys.Agents.GetAgent(ctx, authz.System, ag.ID)
				if err != nil {
					t.Fatal(err)
				}
				return slices.Contains(a.Skills, skill)
			}

			// Validation and permissions.
			if _, err := svc.CreateCourse(ctx, ag, training.CourseInput{Title: "x"}); code(err) != apperr.CodeForbidden {
				t.Fatalf("agent creates a course: %v", err)
			}
			_, err := svc.CreateCourse(ctx, lead, training.CourseInput{Title: "", Skill: "Billing", Link: "ftp://x", ValidityMonths: -1})
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Fields["title"] == "" || ae.Fields["skill"] == "" || ae.Fields["link"] == "" || ae.Fields["validity_months"] == "" {
				t.Fatalf("bad course: %v", err)
			}
			c, err := svc.CreateCourse(ctx, lead, training.CourseInput{Title: "Billing basics", Link: "https://learn.example.org/billing", ValidityMonths: 12, Skill: "product:billing"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Assign(ctx, lead, training.AssignInput{CourseID: c.ID, AgentID: ag.ID, DueOn: "March 10"}); code(err) != apperr.CodeInvalid {
				t.Fatalf("bad due date: %v", err)
			}
			as, err := svc.Assign(ctx, lead, training.AssignInput{CourseID: c.ID, AgentID: ag.ID, DueOn: "2030-03-10"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Assign(ctx, lead, training.AssignInput{CourseID: c.ID, AgentID: ag.ID, DueOn: "2030-03-12"}); code(err) != apperr.CodeConflict {
				t.Fatalf("assigned twice: %v", err)
			}
			// Agents see their own only.
			mine, err := svc.ListAssignments(ctx, ag, training.Filter{})
			if err != nil || len(mine) != 1 || mine[0].Status != training.Assigned {
				t.Fatalf("own list: %v %+v", err, mine)
			}
			if _, err := svc.ListAssignments(ctx, ag, training.Filter{AgentID: lead.ID}); code(err) != apperr.CodeForbidden {
				t.Fatalf("agent reads a colleague's: %v", err)
			}
			reminders := func() []string {
				rows, err := e.Sys.DB.QueryContext(ctx, `SELECT idem_key FROM jobs WHERE kind = 'email.notice' AND idem_key LIKE 'training.%' ORDER BY id`)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				var out []string
				for rows.Next() {
					var k string
					if err := rows.Scan(&k); err != nil {
						t.Fatal(err)
					}
					out = append(out, k)
				}
				return out
			}
			// Nine days before: nothing; two days before: one reminder, once.
			if err := svc.Sweep(ctx, clock()); err != nil {
				t.Fatal(err)
			}
			if got := reminders(); len(got) != 0 {
				t.Fatalf("early reminders: %v", got)
			}
			set(time.Date(2030, 3, 8, 9, 0, 0, 0, oslo))
			for range 3 {
				if err := svc.Sweep(ctx, clock()); err != nil {
					t.Fatal(err)
				}
			}
			if got := reminders(); len(got) != 1 || !strings.Contains(got[0], "soon:2030-03-10") {
				t.Fatalf("due-soon reminders: %v", got)
			}
			var subject string
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT payload FROM jobs WHERE idem_key = ?`, reminders()[0]).Scan(&subject); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(subject, "Billing basics") || strings.Contains(subject, "Training due soon") {
				t.Fatalf("reminder not in Norwegian: %s", subject)
			}
			// In Oslo it is already the 11th at 23:30 UTC on the 10th: overdue.
			set(time.Date(2030, 3, 10, 23, 30, 0, 0, time.UTC))
			for range 2 {
				if err := svc.Sweep(ctx, clock()); err != nil {
					t.Fatal(err)
				}
			}
			if got := reminders(); len(got) != 2 || !strings.Contains(got[1], "overdue:2030-03-10") {
				t.Fatalf("overdue reminders: %v", got)
			}
			due, err := svc.ListAssignments(ctx, lead, training.Filter{Status: "open"})
			if err != nil || len(due) != 1 || !due[0].Overdue {
				t.Fatalf("lead's due view: %v %+v", err, due)
			}
			// The agent starts and completes it: the skill is theirs.
			if _, err := svc.SetStatus(ctx, ag, as.ID, training.StatusInput{Status: "done"}); code(err) != apperr.CodeInvalid {
				t.Fatalf("bad status: %v", err)
			}
			if _, err := svc.SetStatus(ctx, ag, as.ID, training.StatusInput{Status: training.InProgress}); err != nil {
				t.Fatal(err)
			}
			if hasSkill("product:billing") {
				t.Fatal("skill before completion")
			}
			done, err := svc.SetStatus(ctx, ag, as.ID, training.StatusInput{Status: training.Completed})
			if err != nil {
				t.Fatal(err)
			}
			if done.CompletedOn != "2030-03-11" || done.ExpiresOn != "2031-03-11" || done.Overdue {
				t.Fatalf("completed: %+v", done)
			}
			if !hasSkill("product:billing") {
				t.Fatal("completion did not grant the skill")
			}
			m, err := svc.Matrix(ctx, lead, 0)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, r := range m.Rows {
				for _, cl := range r.Cells {
					found = found || (r.AgentID == ag.ID && cl.Skill == "product:billing" && cl.Has && cl.Course)
				}
			}
			if !found {
				t.Fatalf("matrix: %+v", m)
			}
			if _, err := svc.Matrix(ctx, ag, 0); code(err) != apperr.CodeForbidden {
				t.Fatalf("agent reads the matrix: %v", err)
			}
			// A lead edits the matrix: lang:sv on, then off.
			if err := svc.SetSkill(ctx, lead, ag.ID, training.SkillInput{Skill: "lang:sv", Has: true}); err != nil || !hasSkill("lang:sv") {
				t.Fatalf("skill on: %v", err)
			}
			if err := svc.SetSkill(ctx, lead, ag.ID, training.SkillInput{Skill: "lang:sv"}); err != nil || hasSkill("lang:sv") {
				t.Fatalf("skill off: %v", err)
			}
			if err := svc.SetSkill(ctx, ag, ag.ID, training.SkillInput{Skill: "lang:sv", Has: true}); code(err) != apperr.CodeForbidden {
				t.Fatalf("agent edits skills: %v", err)
			}
			// A year on, the certification expires and takes the skill.
			set(time.Date(2031, 3, 11, 8, 0, 0, 0, oslo))
			if err := svc.Sweep(ctx, clock()); err != nil {
				t.Fatal(err)
			}
			if hasSkill("product:billing") {
				t.Fatal("expired certification kept the skill")
			}
			got, err := svc.GetAssignment(ctx, ag, as.ID)
			if err != nil || got.Status != training.Expired {
				t.Fatalf("expired: %v %+v", err, got)
			}
			var audits int
			if err := e.Sys.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('training.skill_grant', 'training.skill_expire')`).Scan(&audits); err != nil {
				t.Fatal(err)
			}
			if audits != 2 {
				t.Fatalf("audited skill changes: %d", audits)
			}
			if got := reminders(); len(got) != 2 {
				t.Fatalf("reminders after completion: %v", got)
			}

			// Onboarding: a template, started for the agent, ticked by owners.
			if _, err := svc.CreateChecklist(ctx, lead, training.ChecklistInput{Name: "New agent", Items: []training.ChecklistItem{{Title: "x", OwnerRole: "boss"}}}); code(err) != apperr.CodeInvalid {
				t.Fatalf("bad owner: %v", err)
			}
			leadID := lead.ID
			cl, err := svc.CreateChecklist(ctx, lead, training.ChecklistInput{Name: "New agent", Items: []training.ChecklistItem{
				{Title: "Laptop and accounts", OwnerID: &leadID, OffsetDays: 0},
				{Title: "Read the style guide", OwnerRole: "new_hire", OffsetDays: 3},
			}})
			if err != nil {
				t.Fatal(err)
			}
			tasks, err := svc.StartOnboarding(ctx, lead, training.OnboardInput{ChecklistID: cl.ID, AgentID: ag.ID, Start: "2031-03-17"})
			if err != nil || len(tasks) != 2 || tasks[0].DueOn != "2031-03-17" || tasks[1].DueOn != "2031-03-20" {
				t.Fatalf("onboarding: %v %+v", err, tasks)
			}
			if _, err := svc.TickTask(ctx, ag, tasks[0].ID); code(err) != apperr.CodeForbidden {
				t.Fatalf("the hire ticks the lead's item: %v", err)
			}
			if tk, err := svc.TickTask(ctx, ag, tasks[1].ID); err != nil || tk.DoneOn == "" {
				t.Fatalf("the hire ticks their item: %v %+v", err, tk)
			}
			owned, err := svc.OwnedTasks(ctx, lead)
			if err != nil || len(owned) != 1 || owned[0].ID != tasks[0].ID {
				t.Fatalf("lead's own items: %v %+v", err, owned)
			}
			if _, err := svc.TickTask(ctx, lead, tasks[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ListTasks(ctx, ag, lead.ID); code(err) != apperr.CodeNotFound {
				t.Fatalf("agent reads another's checklist: %v", err)
			}
		})
	}
}
