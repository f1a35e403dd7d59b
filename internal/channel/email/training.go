package email

import (
	"context"
	"strings"

	"github.com/ombud/ombud/internal/automation"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/training"
)

// QueueTrainingReminder queues a course reminder to an agent in their
// language (training.Mailer), through the notice outbox job.
func (s *Service) QueueTrainingReminder(ctx context.Context, tx *db.Tx, r training.Reminder) error {
	if r.Email == "" {
		return nil
	}
	locale, err := agentLocale(ctx, tx, r.AgentID)
	if err != nil {
		return err
	}
	lang := s.matchLang(locale)
	t := func(key string, args ...any) string { return s.tr(lang, key, args...) }
	var subject string
	var b strings.Builder
	if r.Overdue {
		subject = t("Overdue training: %s", r.Course)
		b.WriteString(t("Your course “%s” was due on %s and is not completed yet.", r.Course, r.Due))
	} else {
		subject = t("Training due soon: %s", r.Course)
		b.WriteString(t("Your course “%s” is due on %s.", r.Course, r.Due))
	}
	b.WriteString("\n")
	if r.Link != "" {
		b.WriteString("\n" + t("Course: %s", r.Link) + "\n")
	}
	if base := strings.TrimRight(s.opts.BaseURL, "/"); base != "" {
		b.WriteString("\n" + t("Your training: %s", base+"/workforce/training/mine") + "\n")
	}
	return s.QueueNotice(ctx, tx, automation.Notice{To: []string{r.Email}, Subject: subject, Body: b.String(), Key: r.Key})
}
