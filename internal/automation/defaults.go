package automation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/db"
)

// The starter triggers every install gets once (SeedDefaults). They only
// send email (notify), never change a ticket or add a comment, so they
// cannot set each other or any other trigger off: a notice is no ticket
// change. Customer mail that a machine sent (an out-of-office answering
// the acknowledgement) is marked auto-submitted and runs no trigger at all
// (TicketEvents), which is what keeps two auto-responders from mailing
// each other for ever.
//
// Each text is kept per language on the action (ActionText): the
// requester's ticket language picks the acknowledgement and the reply
// notice, the assignee's own language the reply alert.

// seedDefaultTriggers names the seed in automation_seeds.
const seedDefaultTriggers = "default_triggers"

// DefaultTriggers returns the starter triggers, in order.
func DefaultTriggers() []RuleInput {
	cond := func(field, op string, v any) Condition {
		c := Condition{Field: field, Op: op}
		if v != nil {
			b, _ := json.Marshal(v)
			c.Value = json.RawMessage(b)
		}
		return c
	}
	return []RuleInput{
		{
			Name:        "Acknowledge new requests",
			Description: "Emails the requester that their request arrived and its number, when a customer opens a ticket (not when an agent logs one, nor in a chat, where the visitor is answered in the chat).",
			Conditions: Conditions{All: []Condition{
				cond("event", "is", "created"),
				cond("comment.author_type", "is", "customer"),
				cond("channel", "not_in", []string{"chat"}),
			}},
			Actions: []Action{{Type: "notify", Value: json.RawMessage(`"requester"`),
				Subject: "[#{{ticket.id}}] We have received your request: {{ticket.subject}}",
				Body:    "Hello {{requester.first_name}},\n\nThank you for contacting us. We have received your request and will get back to you as soon as we can.\n\nYour reference is #{{ticket.id}}. To add anything, reply to this email.\n",
				Texts: map[string]ActionText{
					"nb": {Subject: "[#{{ticket.id}}] Vi har mottatt henvendelsen din: {{ticket.subject}}",
						Body: "Hei {{requester.first_name}},\n\nTakk for at du kontaktet oss. Vi har mottatt henvendelsen din og svarer deg så snart vi kan.\n\nReferansen din er #{{ticket.id}}. Svar på denne e-posten hvis du vil legge til noe.\n"},
					"sv": {Subject: "[#{{ticket.id}}] Vi har tagit emot ditt ärende: {{ticket.subject}}",
						Body: "Hej {{requester.first_name}},\n\nTack för att du kontaktade oss. Vi har tagit emot ditt ärende och återkommer så snart vi kan.\n\nDitt referensnummer är #{{ticket.id}}. Svara på det här mejlet om du vill lägga till något.\n"},
					"da": {Subject: "[#{{ticket.id}}] Vi har modtaget din henvendelse: {{ticket.subject}}",
						Body: "Hej {{requester.first_name}},\n\nTak fordi du kontaktede os. Vi har modtaget din henvendelse og vender tilbage hurtigst muligt.\n\nDit referencenummer er #{{ticket.id}}. Svar på denne e-mail, hvis du vil tilføje noget.\n"},
					"sl": {Subject: "[#{{ticket.id}}] Prejeli smo vašo zahtevo: {{ticket.subject}}",
						Body: "Pozdravljeni, {{requester.first_name}},\n\nhvala, ker ste nam pisali. Vašo zahtevo smo prejeli in vam bomo odgovorili, kakor hitro bo mogoče.\n\nVaša referenčna številka je #{{ticket.id}}. Če želite kaj dodati, odgovorite na to e-poštno sporočilo.\n"},
				}}},
		},
		{
			Name:        "Tell the assignee about customer replies",
			Description: "Emails the assigned agent, in their language, when the customer adds to a ticket (not in a chat: the chat console shows each message as it comes).",
			Conditions: Conditions{All: []Condition{
				cond("event", "is", "comment_added"),
				cond("event", "is_not", "created"),
				cond("comment.author_type", "is", "customer"),
				cond("assignee_id", "present", nil),
				cond("channel", "not_in", []string{"chat"}),
			}},
			Actions: []Action{{Type: "notify", Value: json.RawMessage(`"assignee"`),
				Subject: "[#{{ticket.id}}] {{requester.name}} replied: {{ticket.subject}}",
				Body:    "{{requester.name}} replied on ticket #{{ticket.id}} “{{ticket.subject}}”:\n\n{{comment.body}}\n",
				Texts: map[string]ActionText{
					"nb": {Subject: "[#{{ticket.id}}] {{requester.name}} har svart: {{ticket.subject}}",
						Body: "{{requester.name}} har svart i sak #{{ticket.id}} «{{ticket.subject}}»:\n\n{{comment.body}}\n"},
					"sv": {Subject: "[#{{ticket.id}}] {{requester.name}} har svarat: {{ticket.subject}}",
						Body: "{{requester.name}} har svarat i ärende #{{ticket.id}} ”{{ticket.subject}}”:\n\n{{comment.body}}\n"},
					"da": {Subject: "[#{{ticket.id}}] {{requester.name}} har svaret: {{ticket.subject}}",
						Body: "{{requester.name}} har svaret i sag #{{ticket.id}} »{{ticket.subject}}«:\n\n{{comment.body}}\n"},
					"sl": {Subject: "[#{{ticket.id}}] Nov odgovor stranke {{requester.name}}: {{ticket.subject}}",
						Body: "Stranka {{requester.name}} je odgovorila na zahtevek #{{ticket.id}} »{{ticket.subject}}«:\n\n{{comment.body}}\n"},
				}}},
		},
		{
			Name: "Tell the requester about replies outside email",
			Description: "Emails the requester a public agent reply on tickets that did not come by email or chat. " +
				"Email tickets get the reply itself from the email channel, and chat shows it in the chat, so they are left out: nobody gets it twice.",
			Conditions: Conditions{All: []Condition{
				cond("event", "is", "comment_added"),
				cond("event", "is_not", "created"),
				cond("comment.author_type", "is", "agent"),
				cond("comment.public", "is", true),
				cond("channel", "not_in", []string{"email", "chat"}),
			}},
			Actions: []Action{{Type: "notify", Value: json.RawMessage(`"requester"`),
				Subject: "[#{{ticket.id}}] New reply to your request: {{ticket.subject}}",
				Body:    "Hello {{requester.first_name}},\n\nWe have replied to your request #{{ticket.id}} “{{ticket.subject}}”:\n\n{{comment.body}}\n\nTo answer, reply to this email.\n",
				Texts: map[string]ActionText{
					"nb": {Subject: "[#{{ticket.id}}] Nytt svar på henvendelsen din: {{ticket.subject}}",
						Body: "Hei {{requester.first_name}},\n\nVi har svart på henvendelsen din #{{ticket.id}} «{{ticket.subject}}»:\n\n{{comment.body}}\n\nSvar på denne e-posten hvis du vil svare oss.\n"},
					"sv": {Subject: "[#{{ticket.id}}] Nytt svar på ditt ärende: {{ticket.subject}}",
						Body: "Hej {{requester.first_name}},\n\nVi har svarat på ditt ärende #{{ticket.id}} ”{{ticket.subject}}”:\n\n{{comment.body}}\n\nSvara på det här mejlet om du vill svara oss.\n"},
					"da": {Subject: "[#{{ticket.id}}] Nyt svar på din henvendelse: {{ticket.subject}}",
						Body: "Hej {{requester.first_name}},\n\nVi har svaret på din henvendelse #{{ticket.id}} »{{ticket.subject}}«:\n\n{{comment.body}}\n\nSvar på denne e-mail, hvis du vil svare os.\n"},
					"sl": {Subject: "[#{{ticket.id}}] Nov odgovor na vašo zahtevo: {{ticket.subject}}",
						Body: "Pozdravljeni, {{requester.first_name}},\n\nna vašo zahtevo #{{ticket.id}} »{{ticket.subject}}« smo odgovorili:\n\n{{comment.body}}\n\nČe nam želite odgovoriti, odgovorite na to e-poštno sporočilo.\n"},
				}}},
		},
	}
}

// SeedDefaults gives an install the starter triggers, once in its life
// (recorded in automation_seeds, so deleted ones stay deleted). A new
// install (no tickets and no rules yet) gets them active. An install that
// already works gets them switched off: starting to email its customers
// because of an upgrade would surprise its team, so an admin turns them on.
// It reports how many triggers it added and whether they are active.
func (s *Service) SeedDefaults(ctx context.Context) (added int, active bool, err error) {
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO automation_seeds (name, at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`,
			seedDefaultTriggers, db.Millis(s.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		var used bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM tickets) OR EXISTS (SELECT 1 FROM automation_rules)`).Scan(&used); err != nil {
			return err
		}
		active = !used
		for _, in := range DefaultTriggers() {
			r := Rule{Kind: KindTrigger, Name: in.Name, Description: in.Description, Active: active,
				Conditions: in.Conditions, Actions: in.Actions, WebhookSecret: newSecret()}
			fe := apperr.FieldErrors{}
			if r.compile(fe); len(fe) > 0 {
				return fmt.Errorf("default trigger %q does not validate: %v", in.Name, fe)
			}
			if err := s.insertRule(ctx, tx, &r); err != nil {
				return err
			}
			added++
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("automation: seed default triggers: %w", err)
	}
	return added, active, nil
}
