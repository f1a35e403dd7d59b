package web_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/ombud/ombud/internal/agent"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/mailtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// TestAgentMailInTheirLanguage: the mail Ombud writes to agents — a
// mention notice and a weekly summary — reaches a Norwegian and a
// Slovenian agent in their language, with the summary's period in their
// words and time zone, read at an SMTP server, on both engines.
func TestAgentMailInTheirLanguage(t *testing.T) {
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	people := []struct {
		lang, name, email, zone string
		english                 []string // English that must not be in their mail
	}{
		{"nb", "Kari Nordmann", "kari@ombud.test", "Europe/Oslo", nil},
		{"sl", "Mojca Novak", "mojca@ombud.test", "Europe/Ljubljana", nil},
	}
	english := []string{"mentioned you", "Open the ticket", "weekly summary", "compared with", "Tickets created",
		"You receive this", "Open the dashboard", "no change", "All teams"}
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.New(t, engine)
			capture := webtest.StartOutbound(t, e)
			for _, p := range people {
				if _, err := e.Sys.Agents.CreateAgent(t.Context(), authz.System, agent.AgentInput{Email: p.email, Name: p.name,
					Role: authz.Manager, Locale: p.lang, TimeZone: p.zone, Password: apptest.Password}); err != nil {
					t.Fatal(err)
				}
				// The summary subscription from the reports page's form.
				b := webtest.SignInEmail(t, e, p.email)
				if st, body, _ := b.Do(t, "POST", "/reports/subscriptions", map[string][]string{"frequency": {"weekly"}}); st != http.StatusSeeOther {
					t.Fatalf("subscribe %s: %d\n%s", p.email, st, webtest.Excerpt(body))
				}
			}
			id := webtest.CreateTicket(t, e, "Pakke borte")
			author := webtest.SignIn(t, e, authz.Agent)
			if st, body, _ := author.Do(t, "POST", fmt.Sprintf("/tickets/%d/comments", id), map[string][]string{
				"public": {"false"}, "body": {"@Kari Nordmann and @Mojca Novak, please look at the tracking number"},
			}); st != http.StatusSeeOther {
				t.Fatalf("note: %d\n%s", st, webtest.Excerpt(body))
			}
			// A week on, each agent's summary is due in their zone.
			next := time.Now().AddDate(0, 0, 7)
			for h := range 24 {
				if err := e.Sys.Reports.SendSummaries(context.Background(), next.Add(time.Duration(h)*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range people {
				t.Run(p.lang, func(t *testing.T) {
					to := func(m mailtest.Captured) bool { return slices.Contains(m.To, p.email) }
					mention := webtest.WaitMail(t, capture, "mention notice to "+p.email, func(env *enmime.Envelope, m mailtest.Captured) bool {
						return to(m) && strings.Contains(env.Text, "tracking number")
					})
					wantSubject := tr.T(p.lang, "[#%s] %s mentioned you: %s", fmt.Sprint(id), "Test agent", "Pakke borte")
					if s := mention.GetHeader("Subject"); !strings.EqualFold(s, wantSubject) {
						t.Errorf("mention subject %q, want %q", s, wantSubject)
					}
					intro := tr.T(p.lang, "%s mentioned you in an internal note on ticket #%s, “%s”:", "", fmt.Sprint(id), "Pakke borte")
					if !strings.Contains(strings.ToLower(mention.Text), strings.ToLower(strings.TrimSpace(intro))) {
						t.Errorf("mention text lacks %q:\n%s", intro, mention.Text)
					}
					summary := webtest.WaitMail(t, capture, "summary to "+p.email, func(env *enmime.Envelope, m mailtest.Captured) bool {
						return to(m) && env.GetHeader("Auto-Submitted") != "" && !strings.Contains(env.Text, "tracking number")
					})
					prefix := strings.TrimSuffix(tr.T(p.lang, "Ombud weekly summary: %s", "|"), "|")
					if s := summary.GetHeader("Subject"); !strings.HasPrefix(s, prefix) {
						t.Errorf("summary subject %q, want it to start %q", s, prefix)
					}
					for _, want := range []string{tr.T(p.lang, "Tickets created"), tr.T(p.lang, "All teams") + ", ", p.zone,
						tr.T(p.lang, "You receive this because you subscribed to it in Ombud.")} {
						if !strings.Contains(summary.Text, want) {
							t.Errorf("summary text lacks %q:\n%s", want, summary.Text)
						}
					}
					if !strings.Contains(summary.HTML, tr.T(p.lang, "Metric")) {
						t.Errorf("summary HTML lacks %q", tr.T(p.lang, "Metric"))
					}
					for _, mail := range []*enmime.Envelope{mention, summary} {
						for _, en := range english {
							if strings.Contains(mail.GetHeader("Subject")+mail.Text+mail.HTML, en) {
								t.Errorf("English %q in %q:\n%s", en, mail.GetHeader("Subject"), mail.Text)
							}
						}
					}
					// The period in the agent's words: no English month.
					for _, m := range []string{"Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ", "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec "} {
						if strings.Contains(summary.GetHeader("Subject"), m) {
							t.Errorf("English month in %q", summary.GetHeader("Subject"))
						}
					}
				})
			}
		})
	}
}
