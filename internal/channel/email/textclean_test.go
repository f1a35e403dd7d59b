package email_test

import (
	"strings"
	"testing"

	"github.com/ombud/ombud/internal/channel/email"
	"github.com/ombud/ombud/internal/dbtest"
)

// TestMailTextCleaned: mail is never lost over the characters the text
// rule (internal/textcheck) refuses from people. A subject and sender name
// with a tab, a control character and a bidirectional override, and a body
// with a bell and a form feed, become a ticket with the subject and name
// cleaned to single lines without those characters.
func TestMailTextCleaned(t *testing.T) {
	e := startMail(t, dbtest.Engines[0])
	raw := "From: =?UTF-8?Q?Kari=E2=80=AE_Nordmann?= <kari@example.no>\r\n" +
		"To: support@example.com\r\n" +
		"Subject: =?UTF-8?Q?Invoice=09overdue=07_=E2=80=AEfdp.exe?=\r\n" +
		"Message-Id: <clean-1@example.no>\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0100\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"Hello\x07 there,\r\npage one\x0cpage two\r\n"
	e.mustSend(t, "kari@example.no", []byte(raw))
	log := e.inbound(t, "")
	if len(log) != 1 || log[0]["state"] != "processed" || log[0]["outcome"] != email.OutcomeNewTicket {
		t.Fatalf("inbound log: %v", log)
	}
	tk := e.ticket(t, num(log[0]["ticket_id"]))
	if tk["subject"] != "Invoice overdue fdp.exe" {
		t.Errorf("subject %q", tk["subject"])
	}
	if req := tk["requester"].(map[string]any); req["name"] != "Kari Nordmann" {
		t.Errorf("requester name %q", req["name"])
	}
	cs := e.comments(t, num(log[0]["ticket_id"]))
	if len(cs) != 1 {
		t.Fatalf("comments: %v", cs)
	}
	if body := cs[0]["body"].(string); strings.ContainsAny(body, "\x07\x0c") || !strings.Contains(body, "page one\npage two") {
		t.Errorf("body %q", body)
	}
}
