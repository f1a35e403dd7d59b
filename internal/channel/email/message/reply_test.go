package message

import (
	"strings"
	"testing"
)

func TestExtractReply(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"no quote", "Hello\n\nJust a question.\n", "Hello\n\nJust a question."},
		{"gmail en", "Thanks!\n\nOn Tue, 5 Mar 2024 at 10:00, Ombud <s@ombud.example> wrote:\n> old\n", "Thanks!"},
		{"gmail en without quotes below", "Thanks!\n\nOn Tue, 5 Mar 2024 at 10:00, Ombud <s@ombud.example> wrote:\n\nold text\n", "Thanks!"},
		{"gmail wrapped two lines", "Fine.\n\nOn Tue, Mar 5, 2024 at 10:00 AM Ombud Support <\ns@ombud.example> wrote:\n> old\n", "Fine."},
		{"gmail wrapped three lines", "Fine.\n\nOn Tue, Mar 5, 2024 at 10:00 AM Some Very Long Name From\nA Company With A Long Name <someone@long-company-name.example>\nwrote:\n> old\n", "Fine."},
		{"reply line starting with On above attribution", "On Monday it failed again.\nOn Tue, 5 Mar 2024 at 10:00, Ombud <s@ombud.example> wrote:\n> old\n", "On Monday it failed again."},
		{"apple en", "Ok\n\n> On 5 Mar 2024, at 10:00, Ombud <s@ombud.example> wrote:\n> old\n", "Ok"},
		{"thunderbird en", "Ok\n\nOn 05.03.2024 10:00, Ombud Support wrote:\n> old\n", "Ok"},
		{"thunderbird old style", "Ok\n\n05.03.2024 10:00, Ombud Support wrote:\n> old\n", "Ok"},
		{"norwegian gmail", "Ja.\n\ntir. 5. mar. 2024 kl. 10:00 skrev Ombud <s@ombud.example>:\n> gammelt\n", "Ja."},
		{"norwegian den", "Ja.\n\nDen 5. mar. 2024 kl. 10:00 skrev Ombud <s@ombud.example>:\n> gammelt\n", "Ja."},
		{"norwegian thunderbird", "Ja.\n\nDen 05.03.2024 10:00, skrev Ombud Kundeservice:\n> gammelt\n", "Ja."},
		{"danish", "Ja.\n\nDen man. 4. mar. 2024 kl. 10.12 skrev Ombud <s@ombud.example>:\n> gammelt\n", "Ja."},
		{"swedish", "Ja.\n\nDen mån 4 mars 2024 kl 10:12 skrev Ombud <s@ombud.example>:\n> gammalt\n", "Ja."},
		{"swedish följande", "Ja.\n\nDen 4 mars 2024 skrev Ombud följande:\n> gammalt\n", "Ja."},
		{"german gmail", "Ja.\n\nAm Mo., 4. März 2024 um 10:12 Uhr schrieb Ombud <s@ombud.example>:\n> alt\n", "Ja."},
		{"german thunderbird", "Ja.\n\nAm 04.03.24 um 10:12 schrieb Ombud Support:\n> alt\n", "Ja."},
		{"french", "Oui.\n\nLe lun. 4 mars 2024 à 10:12, Ombud <s@ombud.example> a écrit :\n> ancien\n", "Oui."},
		{"french nbsp", "Oui.\n\nLe 4 mars 2024 à 10:12, Ombud <s@ombud.example> a\u00a0écrit\u00a0:\n> ancien\n", "Oui."},
		{"slovenian napisal(a)", "Da.\n\nOmbud <s@ombud.example> je napisal(a) 4. 3. 2024 ob 10:12:\n> staro\n", "Da."},
		{"slovenian napisala", "Da.\n\nV pon., 4. mar. 2024 ob 10:12 je oseba Ombud <s@ombud.example> napisala:\n> staro\n", "Da."},
		{"slovenian napisal", "Da.\n\nDne 4. 3. 2024 ob 10:12 je Ombud napisal:\n> staro\n", "Da."},
		{"slovenian pisal(a)", "Da.\n\nOmbud <s@ombud.example> je pisal(a):\n> staro\n", "Da."},
		{"outlook original message", "Ok\n\n-----Original Message-----\nFrom: A\nSent: B\n\nold\n", "Ok"},
		{"outlook original message spaced", "Ok\n\n----- Original Message -----\nFrom: A\n", "Ok"},
		{"german original", "Ok\n\n-----Ursprüngliche Nachricht-----\nVon: A\n", "Ok"},
		{"norwegian original", "Ok\n\n-----Opprinnelig melding-----\nFra: A\n", "Ok"},
		{"french original", "Ok\n\n-----Message d'origine-----\nDe : A\n", "Ok"},
		{"swedish original", "Ok\n\n-----Ursprungligt meddelande-----\nFrån: A\n", "Ok"},
		{"slovenian original", "Ok\n\n-----Izvirno sporočilo-----\nOd: A\n", "Ok"},
		{"outlook header block en", "Ok\n\nFrom: Ombud <s@ombud.example>\nSent: Monday, March 4, 2024 10:00\nTo: Me\nSubject: Hi\n\nold\n", "Ok"},
		{"outlook header block bold", "Ok\n\n*From:* Ombud <s@ombud.example>\n*Sent:* Monday, March 4, 2024 10:00\n*To:* Me\n*Subject:* Hi\n\nold\n", "Ok"},
		{"outlook with separator", "Ok\n\n________________________________\nFrom: Ombud\nSent: Monday\nTo: Me\n", "Ok"},
		{"outlook norwegian", "Ok\n\nFra: Ombud\nSendt: mandag 4. mars 2024 10:00\nTil: Meg\nEmne: Hei\n", "Ok"},
		{"outlook danish", "Ok\n\nFra: Ombud\nSendt: 4. marts 2024 10:00\nTil: Mig\nEmne: Hej\n", "Ok"},
		{"outlook swedish", "Ok\n\nFrån: Ombud\nSkickat: den 4 mars 2024 10:00\nTill: Mig\nÄmne: Hej\n", "Ok"},
		{"outlook german", "Ok\n\nVon: Ombud\nGesendet: Montag, 4. März 2024 10:00\nAn: Mich\nBetreff: Hallo\n", "Ok"},
		{"outlook french", "Ok\n\nDe : Ombud\nEnvoyé : lundi 4 mars 2024 10:00\nÀ : Moi\nObjet : Salut\n", "Ok"},
		{"outlook slovenian", "Ok\n\nOd: Ombud\nPoslano: ponedeljek, 4. marec 2024 10:00\nZa: Jaz\nZadeva: Živjo\n", "Ok"},
		{"outlook flattened one line", "Ok\n\nFrom: Ombud <s@ombud.example> Sent: Monday, March 4, 2024 To: Me Subject: Hi\nold\n", "Ok"},
		{"from line in prose is kept", "From: my phone, sorry for typos.\nThe printer is broken.\n", "From: my phone, sorry for typos.\nThe printer is broken."},
		{"prose wrote without date is kept", "My colleague wrote:\nthe invoice is wrong.\n", "My colleague wrote:\nthe invoice is wrong."},
		{"trailing quote block", "Thanks\n\n> old 1\n>\n> old 2\n", "Thanks"},
		{"signature delimiter", "Thanks\n\n-- \nOla Nordmann\nCEO\n", "Thanks"},
		{"signature delimiter without space", "Thanks\n\n--\nOla\n", "Thanks"},
		{"signature then quote", "Thanks\n-- \nOla\n\nOn 4 Mar 2024, at 10:00, Ombud wrote:\n> old\n", "Thanks"},
		{"sent from my iphone", "Ok\n\nSent from my iPhone\n", "Ok"},
		{"sent from my android", "Ok\n\nSent from my Android device\n", "Ok"},
		{"sent from outlook for ios", "Ok\n\nGet Outlook for iOS\n", "Ok"},
		{"sendt fra min iphone", "Ok\n\nSendt fra min iPhone\n", "Ok"},
		{"skickat från min iphone", "Ok\n\nSkickat från min iPhone\n", "Ok"},
		{"von meinem iphone", "Ok\n\nVon meinem iPhone gesendet\n", "Ok"},
		{"envoyé de mon iphone", "Ok\n\nEnvoyé de mon iPhone\n", "Ok"},
		{"poslano iz mojega iphona", "Ok\n\nPoslano iz mojega iPhona\n", "Ok"},
		{"mobile line in middle kept", "Sent from my iPhone: the app crashes when\nI open settings.\nIt also crashes on login.\nAnd on logout.\n", "Sent from my iPhone: the app crashes when\nI open settings.\nIt also crashes on login.\nAnd on logout."},
		{"only quote returns original", "On 4 Mar 2024, at 10:00, Ombud wrote:\n> old\n", "On 4 Mar 2024, at 10:00, Ombud wrote:\n> old"},
		{"inline answers below quotes keep everything", "> Question 1?\nAnswer 1.\n> Question 2?\nAnswer 2.\n", "> Question 1?\nAnswer 1.\n> Question 2?\nAnswer 2."},
		{"attribution first then inline answers", "On 4 Mar 2024, at 10:00, Ombud wrote:\n> Q?\nA.\n", "On 4 Mar 2024, at 10:00, Ombud wrote:\n> Q?\nA."},
		{"crlf", "Thanks\r\n\r\nOn 4 Mar 2024, at 10:00, Ombud <s@ombud.example> wrote:\r\n> old\r\n", "Thanks"},
		{"invalid utf8", "Takk \xff\n\n> old\n", "Takk \uFFFD"},
		{"forwarded message is content", "See below.\n\n---------- Forwarded message ---------\nFrom: Customer <c@x.example>\nDate: Mon, 4 Mar 2024\nSubject: Broken\nTo: sales@ombud.example\n\nIt is broken.\n", "See below.\n\n---------- Forwarded message ---------\nFrom: Customer <c@x.example>\nDate: Mon, 4 Mar 2024\nSubject: Broken\nTo: sales@ombud.example\n\nIt is broken."},
		{"apple forward is content", "FYI\n\nBegin forwarded message:\n\nFrom: Customer <c@x.example>\nSubject: Broken\nDate: 4 March 2024 at 10:00:00 CET\nTo: sales@ombud.example\n\nIt is broken.\n", "FYI\n\nBegin forwarded message:\n\nFrom: Customer <c@x.example>\nSubject: Broken\nDate: 4 March 2024 at 10:00:00 CET\nTo: sales@ombud.example\n\nIt is broken."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ExtractReply(tt.in); got != tt.want {
				t.Errorf("ExtractReply(%q)\n got: %q\nwant: %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExtractReplyHTML(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		contains   []string
		notContain []string
		unchanged  bool
	}{
		{
			name:       "gmail quote",
			in:         `<div dir="ltr">New text</div><br><div class="gmail_quote"><div class="gmail_attr">On Mon wrote:</div><blockquote>old</blockquote></div>`,
			contains:   []string{"New text"},
			notContain: []string{"old", "gmail_quote"},
		},
		{
			name:       "gmail signature removed",
			in:         `<div>New text</div><div class="gmail_signature">Ola<br>CEO</div><div class="gmail_quote">old</div>`,
			contains:   []string{"New text"},
			notContain: []string{"CEO", "old"},
		},
		{
			name:       "outlook web divRplyFwdMsg",
			in:         `<div>Answer</div><hr><div id="divRplyFwdMsg"><b>From:</b> x</div><div>old</div>`,
			contains:   []string{"Answer"},
			notContain: []string{"divRplyFwdMsg", "old"},
		},
		{
			name: "outlook desktop border-top block",
			in: `<html><body><div class=WordSection1><p>Svar</p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">` +
				`<p><b>Von:</b> Ombud<br><b>Gesendet:</b> Montag</p></div></div><p>alt</p></div></body></html>`,
			contains:   []string{"<p>Svar</p>", "<html>"},
			notContain: []string{"Von:", "alt"},
		},
		{
			name:       "border-top without From label stays",
			in:         `<p>Hello</p><div style="border-top:solid 1px">Footer text</div>`,
			contains:   []string{"Footer text"},
			unchanged:  true,
			notContain: nil,
		},
		{
			name:       "thunderbird moz-cite-prefix",
			in:         `<p>Answer</p><div class="moz-cite-prefix">On 05.03.2024 10:00, Ombud wrote:<br></div><blockquote type="cite">old</blockquote>`,
			contains:   []string{"Answer"},
			notContain: []string{"wrote", "old"},
		},
		{
			name:       "apple attribution above blockquote",
			in:         `<div>Answer</div><div><br><div>On 5 Mar 2024, at 10:00, Ombud &lt;s@ombud.example&gt; wrote:</div><br class="Apple-interchange-newline"><blockquote type="cite">old</blockquote></div>`,
			contains:   []string{"Answer"},
			notContain: []string{"wrote", "old"},
		},
		{
			name:      "inline answer after blockquote keeps all",
			in:        `<blockquote type="cite">Question?</blockquote><div>Answer!</div>`,
			contains:  []string{"Question?", "Answer!"},
			unchanged: true,
		},
		{
			name:      "only quote keeps all",
			in:        `<div class="gmail_quote">old</div>`,
			contains:  []string{"old"},
			unchanged: true,
		},
		{
			name:       "mobile signature removed with the quote",
			in:         `<div>Ok</div><div>Sent from my iPhone</div><blockquote type="cite">old</blockquote>`,
			contains:   []string{"Ok"},
			notContain: []string{"iPhone", "old"},
		},
		{
			name:      "no marker unchanged",
			in:        `<p>Hello <b>there</b></p>`,
			unchanged: true,
		},
		{
			name:       "image-only reply kept",
			in:         `<div><img src="cid:x"></div><div class="gmail_quote">old</div>`,
			contains:   []string{`cid:x`},
			notContain: []string{"old"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ExtractReplyHTML(tt.in)
			if tt.unchanged && got != tt.in {
				t.Errorf("changed:\n got: %s\nwant: %s", got, tt.in)
			}
			for _, c := range tt.contains {
				if !strings.Contains(got, c) {
					t.Errorf("missing %q in %s", c, got)
				}
			}
			for _, c := range tt.notContain {
				if strings.Contains(got, c) {
					t.Errorf("unexpected %q in %s", c, got)
				}
			}
		})
	}
}

func TestExtractReplyHTMLDeepNesting(t *testing.T) {
	in := strings.Repeat("<div>", 5000) + "x" + `<div class="gmail_quote">old</div>`
	if got := ExtractReplyHTML(in); got != in {
		t.Errorf("deeply nested input was changed")
	}
}
