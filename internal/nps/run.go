package nps

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/jobs"
)

// Jobs.
const (
	// JobRun sends one campaign run: payload {campaign_id, run_at}.
	JobRun = "nps.run"
	// SweepName is the minute sweep that queues the runs that fell due.
	SweepName = "nps.sweep"
)

type runJob struct {
	CampaignID int64 `json:"campaign_id"`
	RunAt      int64 `json:"run_at"` // the next_run_at it was queued for (ms)
}

// Register handles the campaign jobs on r.
func (s *Service) Register(r *jobs.Runner) {
	r.Handle(JobRun, s.runJob)
	r.Every(SweepName, time.Minute, s.Sweep)
}

// scheduleIfDue queues the run of a campaign whose next run is due now, so
// a "start now" campaign does not wait for the minute sweep.
func (s *Service) scheduleIfDue(ctx context.Context, tx *db.Tx, id int64, active bool, next time.Time) error {
	if !active || next.After(s.now()) {
		return nil
	}
	if err := s.enqueueRun(ctx, tx, id, db.Millis(next)); err != nil {
		return err
	}
	if s.wake != nil {
		tx.AfterCommit(s.wake)
	}
	return nil
}

func (s *Service) enqueueRun(ctx context.Context, tx *db.Tx, id, runAt int64) error {
	if _, err := jobs.Enqueue(ctx, tx, s.now(), jobs.New{Kind: JobRun, Key: fmt.Sprintf("%d:%d", id, runAt),
		Payload: runJob{CampaignID: id, RunAt: runAt}}); err != nil {
		return fmt.Errorf("nps: queue run of campaign %d: %w", id, err)
	}
	return nil
}

// Sweep queues a run for every active campaign whose next run is due.
// The job key (campaign and run time) makes a second sweep a no-op.
func (s *Service) Sweep(ctx context.Context, now time.Time) error {
	return s.db.Write(ctx, func(tx *db.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, next_run_at FROM nps_campaigns WHERE active = ? AND next_run_at IS NOT NULL AND next_run_at <= ?`, true, db.Millis(now))
		if err != nil {
			return fmt.Errorf("nps: due campaigns: %w", err)
		}
		type due struct{ id, at int64 }
		var list []due
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.id, &d.at); err != nil {
				rows.Close()
				return err
			}
			list = append(list, d)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range list {
			if err := s.enqueueRun(ctx, tx, d.id, d.at); err != nil {
				return err
			}
		}
		if len(list) > 0 && s.wake != nil {
			tx.AfterCommit(s.wake)
		}
		return nil
	})
}

func (s *Service) runJob(ctx context.Context, j jobs.Job) error {
	var p runJob
	if err := json.Unmarshal(j.Payload, &p); err != nil || p.CampaignID <= 0 {
		return jobs.Permanent(fmt.Errorf("nps: bad run payload %q", j.Payload))
	}
	n, err := s.Run(ctx, p.CampaignID, p.RunAt)
	if err != nil {
		return err
	}
	if s.log != nil && n >= 0 {
		s.log.Info("nps campaign run", "campaign", p.CampaignID, "sent", n)
	}
	return nil
}

// Run sends one run of a campaign, due at runAt (ms): every customer of
// the segment not surveyed within the throttle gets a send and a mail, and
// the campaign's next run moves on (one interval later, or none). A run
// that is no longer due (paused, rescheduled, already run) sends nothing
// and returns -1. All of it is one transaction.
func (s *Service) Run(ctx context.Context, campaignID, runAt int64) (int, error) {
	sent := -1
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		sent = -1
		c, err := getCampaign(ctx, tx, campaignID)
		if err != nil {
			return jobs.Permanent(err)
		}
		if !c.Active || c.NextRunAt == nil || db.Millis(*c.NextRunAt) != runAt {
			return nil
		}
		st, err := loadSettings(ctx, tx)
		if err != nil {
			return err
		}
		now := s.now()
		targets, err := s.Select(ctx, tx, c.Segment, st.ThrottleDays, now)
		if err != nil {
			return err
		}
		sent = 0
		if s.mailer != nil {
			for _, t := range targets {
				if err := s.send(ctx, tx, c, runAt, t, now); err != nil {
					return err
				}
				sent++
			}
		} else if s.log != nil && len(targets) > 0 {
			s.log.Warn("nps: no outbound mail path; campaign run sends nothing", "campaign", c.ID)
		}
		next := sql.NullInt64{}
		if c.RepeatDays > 0 {
			t := db.Time(runAt)
			for !t.After(now) {
				t = t.Add(time.Duration(c.RepeatDays) * 24 * time.Hour)
			}
			next = db.NullMillis(t)
		}
		_, err = tx.ExecContext(ctx, `UPDATE nps_campaigns SET next_run_at = ?, last_run_at = ? WHERE id = ?`, next, db.Millis(now), c.ID)
		return err
	})
	return sent, err
}

// Target is a customer a campaign run surveys.
type Target struct {
	CustomerID     int64
	Name           string
	Email          string
	OrganizationID int64
	Language       string
}

// Select returns the customers of a segment with an email address who
// got no NPS survey (from any campaign) in the last throttleDays, by id.
// A customer's language is their own locale, else their latest ticket's,
// else English.
func (s *Service) Select(ctx context.Context, q db.Querier, seg Segment, throttleDays int, now time.Time) ([]Target, error) {
	var where []string
	var args []any
	if seg.OrganizationID > 0 {
		where = append(where, `c.organization_id = ?`)
		args = append(args, seg.OrganizationID)
	}
	if seg.Tag != "" {
		where = append(where, `EXISTS (SELECT 1 FROM tickets t JOIN ticket_tags g ON g.ticket_id = t.id WHERE t.requester_id = c.id AND g.tag = ?)`)
		args = append(args, normTag(seg.Tag))
	}
	if seg.ContactDays > 0 {
		where = append(where, `EXISTS (SELECT 1 FROM tickets t WHERE t.requester_id = c.id AND t.updated_at >= ?)`)
		args = append(args, db.Millis(now.Add(-time.Duration(seg.ContactDays)*24*time.Hour)))
	}
	if throttleDays > 0 {
		where = append(where, `NOT EXISTS (SELECT 1 FROM nps_sends s WHERE s.customer_id = c.id AND s.sent_at > ?)`)
		args = append(args, db.Millis(now.Add(-time.Duration(throttleDays)*24*time.Hour)))
	}
	query := `SELECT c.id, c.name, c.locale, COALESCE(c.organization_id, 0),
		(SELECT i.value FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email' ORDER BY i.is_primary DESC, i.id LIMIT 1),
		(SELECT t.language FROM tickets t WHERE t.requester_id = c.id ORDER BY t.created_at DESC, t.id DESC LIMIT 1)
		FROM customers c WHERE EXISTS (SELECT 1 FROM customer_identities i WHERE i.customer_id = c.id AND i.type = 'email')`
	for _, w := range where {
		query += " AND " + w
	}
	rows, err := q.QueryContext(ctx, query+" ORDER BY c.id", args...)
	if err != nil {
		return nil, fmt.Errorf("nps: select segment: %w", err)
	}
	defer rows.Close()
	var out []Target
	for rows.Next() {
		var t Target
		var locale string
		var email, tlang sql.NullString
		if err := rows.Scan(&t.CustomerID, &t.Name, &locale, &t.OrganizationID, &email, &tlang); err != nil {
			return nil, fmt.Errorf("nps: select segment: %w", err)
		}
		t.Email = email.String
		switch {
		case locale != "":
			t.Language = s.tr.Match(locale)
		case tlang.String != "":
			t.Language = s.tr.Match(tlang.String)
		default:
			t.Language = "en"
		}
		if seg.Language != "" && t.Language != seg.Language {
			continue
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// send records one send and queues its mail.
func (s *Service) send(ctx context.Context, tx *db.Tx, c Campaign, runAt int64, t Target, now time.Time) error {
	id, err := tx.InsertID(ctx, `INSERT INTO nps_sends (campaign_id, run_at, customer_id, organization_id, language, sent_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, runAt, t.CustomerID, t.OrganizationID, t.Language, db.Millis(now))
	if err != nil {
		return fmt.Errorf("nps: record send: %w", err)
	}
	if err := s.sendChanged(ctx, tx, id); err != nil {
		return err
	}
	m := s.compose(t.Language, s.question(c, t.Language), t.Name, id, now.Add(LinkTTL))
	m.To, m.Key = t.Email, "nps:"+strconv.FormatInt(id, 10)
	return s.mailer.QueueNPS(ctx, tx, m)
}

// question is the campaign's question in lang, else the default one.
func (s *Service) question(c Campaign, lang string) string {
	if q := c.Questions[lang]; q != "" {
		return q
	}
	return s.tr.String(lang, DefaultQuestion)
}

// Choice is one score link in the mail.
type Choice struct {
	Score    int
	Link     string
	Category string
}

var mailHTML = template.Must(template.New("nps").Parse(`<!doctype html>
<html lang="{{.Lang}}"><body style="font-family: sans-serif; line-height: 1.5">
<p>{{.Hello}}</p>
<p><strong>{{.Question}}</strong></p>
<p>{{range .Choices}}<a href="{{.Link}}" style="display: inline-block; min-width: 2em; margin: 0 4px 8px 0; padding: 8px 6px; border-radius: 6px; text-align: center; text-decoration: none; color: #fff; background: {{if eq .Category "promoter"}}#1f7a3d{{else if eq .Category "passive"}}#8a6d00{{else}}#9a2a2a{{end}}">{{.Score}}</a>{{end}}</p>
<p style="color: #555">{{.Scale}}</p>
<p style="color: #555">{{.Outro}}</p>
</body></html>`))

// compose writes the survey mail in lang.
func (s *Service) compose(lang, question, name string, sendID int64, expires time.Time) Mail {
	T := func(key string, args ...any) string { return s.tr.T(lang, key, args...) }
	var choices []Choice
	for sc := 0; sc <= 10; sc++ {
		choices = append(choices, Choice{Score: sc, Link: s.Link(s.Sign(sendID, sc, expires)), Category: Category(sc)})
	}
	hello := T("Hello %s,", name)
	if name == "" {
		hello = T("Hello,")
	}
	scale := T("0 means not at all likely, 10 extremely likely.")
	outro := T("Pick a number to open a short page where you can confirm it and tell us why. You can change your answer later with the same link.")
	var text strings.Builder
	fmt.Fprintf(&text, "%s\n\n%s\n%s\n\n", hello, question, scale)
	for _, c := range choices {
		fmt.Fprintf(&text, "%d: %s\n", c.Score, c.Link)
	}
	fmt.Fprintf(&text, "\n%s\n", outro)
	var html bytes.Buffer
	_ = mailHTML.Execute(&html, map[string]any{"Lang": lang, "Hello": hello, "Question": question, "Choices": choices, "Scale": scale, "Outro": outro})
	return Mail{SendID: sendID, Subject: T("A quick question: would you recommend us?"), Text: text.String(), HTML: html.String()}
}
