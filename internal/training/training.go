// Package training keeps courses and certifications per agent (due dates,
// reminders, expiry), onboarding checklists for new hires, and the skills
// matrix: completing a course that grants a skill adds it to the agent's
// skills, which routing reads; a certification's expiry takes it away.
package training

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/textcheck"
)

// Reminder is one reminder mail to an agent about an assignment.
type Reminder struct {
	AssignmentID int64
	AgentID      int64
	Email        string
	Course       string
	Link         string
	Due          string // YYYY-MM-DD in the agent's zone
	Overdue      bool   // false: due soon
	Key          string // idempotency key of the outbox job
}

// Mailer queues reminder mails inside the sweep's transaction (the email
// outbox); it writes them in the agent's language.
type Mailer interface {
	QueueTrainingReminder(ctx context.Context, tx *db.Tx, r Reminder) error
}

// Service keeps training.
type Service struct {
	db     *db.DB
	now    func() time.Time
	mailer Mailer
	// RemindDays is how many days before the due date the first reminder
	// goes out.
	RemindDays int
}

// NewService returns the training service.
func NewService(d *db.DB, now func() time.Time) *Service {
	return &Service{db: d, now: now, RemindDays: 7}
}

// SetMailer sets where reminders go (nil: none are sent).
func (s *Service) SetMailer(m Mailer) { s.mailer = m }

// Course is something agents learn; ValidityMonths > 0 makes it a
// certification that expires; Skill is what completing it grants.
type Course struct {
	ID             int64     `json:"id"`
	Title          string    `json:"title"`
	Description    string    `json:"description"`
	Link           string    `json:"link"`
	ValidityMonths int       `json:"validity_months"`
	Skill          string    `json:"skill"`
	CreatedAt      time.Time `json:"created_at"`
}

// CourseInput creates a course.
type CourseInput struct {
	Title          string `json:"title"`
	Description    string `json:"description"`
	Link           string `json:"link"`
	ValidityMonths int    `json:"validity_months"`
	Skill          string `json:"skill"`
}

// SkillPattern is the form of a skill (as internal/agent checks it).
const SkillPattern = `^[a-z]+:[a-z0-9_.\-]{1,50}$`

func checkCourse(in *CourseInput) error {
	fe := apperr.FieldErrors{}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 {
		fe.Add("title", "must be 1 to 200 characters")
	} else if msg := textcheck.Line(in.Title); msg != "" {
		fe.Add("title", msg)
	}
	in.Description = strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(in.Description) > 2000 {
		fe.Add("description", "must be at most 2000 characters")
	}
	in.Link = strings.TrimSpace(in.Link)
	if in.Link != "" {
		u, err := url.Parse(in.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.Link) > 2000 {
			fe.Add("link", "must be an http or https address")
		}
	}
	if in.ValidityMonths < 0 || in.ValidityMonths > 120 {
		fe.Add("validity_months", "must be between 0 and 120")
	}
	in.Skill = strings.ToLower(strings.TrimSpace(in.Skill))
	if in.Skill != "" && !validSkill(in.Skill) {
		fe.Add("skill", "must look like kind:value, e.g. lang:nb or product:billing")
	}
	return fe.Err()
}

// CreateCourse adds a course (leads).
func (s *Service) CreateCourse(ctx context.Context, actor authz.Actor, in CourseInput) (Course, error) {
	if err := authz.Check(actor, authz.TrainingManage); err != nil {
		return Course{}, err
	}
	if err := checkCourse(&in); err != nil {
		return Course{}, err
	}
	now := s.now()
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		id, err = tx.InsertID(ctx, `INSERT INTO training_courses (title, description, link, validity_months, skill, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			in.Title, in.Description, in.Link, in.ValidityMonths, in.Skill, db.Millis(now))
		if err != nil {
			return fmt.Errorf("training: create course: %w", err)
		}
		return audit.Record(ctx, tx, now, actor, "training.course_create", fmt.Sprint(id), map[string]any{"title": in.Title, "skill": in.Skill, "validity_months": in.ValidityMonths})
	})
	if err != nil {
		return Course{}, err
	}
	return s.GetCourse(ctx, actor, id)
}

const courseCols = `id, title, description, link, validity_months, skill, created_at`

func scanCourse(sc interface{ Scan(...any) error }) (Course, error) {
	var c Course
	var created int64
	err := sc.Scan(&c.ID, &c.Title, &c.Description, &c.Link, &c.ValidityMonths, &c.Skill, &created)
	c.CreatedAt = db.Time(created)
	return c, err
}

// GetCourse returns one course.
func (s *Service) GetCourse(ctx context.Context, actor authz.Actor, id int64) (Course, error) {
	if err := authz.Check(actor, authz.TrainingRead); err != nil {
		return Course{}, err
	}
	c, err := scanCourse(s.db.QueryRowContext(ctx, `SELECT `+courseCols+` FROM training_courses WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Course{}, apperr.NotFound("course", id)
	}
	if err != nil {
		return Course{}, fmt.Errorf("training: course %d: %w", id, err)
	}
	return c, nil
}

// ListCourses returns every course by title.
func (s *Service) ListCourses(ctx context.Context, actor authz.Actor) ([]Course, error) {
	if err := authz.Check(actor, authz.TrainingRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+courseCols+` FROM training_courses ORDER BY title, id`)
	if err != nil {
		return nil, fmt.Errorf("training: courses: %w", err)
	}
	defer rows.Close()
	out := []Course{}
	for rows.Next() {
		c, err := scanCourse(rows)
		if err != nil {
			return nil, fmt.Errorf("training: courses: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// agentZone returns an agent's zone (UTC when unknown) or not found.
func agentZone(ctx context.Context, q db.Querier, id int64) (*time.Location, error) {
	var zone string
	err := q.QueryRowContext(ctx, `SELECT time_zone FROM agents WHERE id = ?`, id).Scan(&zone)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFound("agent", id)
	}
	if err != nil {
		return nil, fmt.Errorf("training: agent %d: %w", id, err)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC, nil
	}
	return loc, nil
}

// dayIn is t's date in loc.
func dayIn(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateOnly) }

func parseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return t, err == nil
}
