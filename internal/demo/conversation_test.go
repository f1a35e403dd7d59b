package demo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// stages names a topic's texts stage by stage, in the order of lines.
func stages(l lines) map[string][]string {
	return map[string][]string{
		"Subject": l.Subject, "Opening": l.Opening, "Ask": l.Ask, "Answer": l.Answer, "Update": l.Update,
		"Nudge": l.Nudge, "Resolve": l.Resolve, "Direct": l.Direct, "Reopen": l.Reopen, "Reopened": l.Reopened, "Notes": l.Notes,
	}
}

var (
	placeholderRE = regexp.MustCompile(`\{[a-z]+\}`)
	orderRE       = regexp.MustCompile(`\b\d{6}\b`)
	invoiceRE     = regexp.MustCompile(`\b(?:INV|F|R)-\d{5}\b`)
	trackingRE    = regexp.MustCompile(`\b70\d{12}\b`)
	knownDetails  = []string{"{order}", "{invoice}", "{amount}", "{product}", "{size}", "{newsize}", "{tracking}", "{card}", "{version}", "{fixversion}", "{feature}", "{plan}", "{email}"}
)

// TestContent holds the texts to the rules the generator relies on: every
// topic in every language, every stage filled, variants matching the
// English ones placeholder for placeholder, and every text unique in its
// language, so a message names its topic and no two replies coincide.
func TestContent(t *testing.T) {
	for _, lang := range languages {
		seen := map[string]string{}
		fr := frames[lang]
		for _, g := range fr.Greet {
			if !strings.Contains(g, "{first}") {
				t.Errorf("%s: greeting %q lacks {first}", lang, g)
			}
		}
		for _, s := range fr.Sign {
			if !strings.Contains(s, "{agent}") {
				t.Errorf("%s: signature %q lacks {agent}", lang, s)
			}
		}
		for _, s := range append(fr.CustomerSign, fr.Phone) {
			if !strings.Contains(s, "{name}") {
				t.Errorf("%s: %q lacks {name}", lang, s)
			}
		}
		if len(fr.CustomerGreet) == 0 {
			t.Errorf("%s: no customer greeting", lang)
		}
		if len(content[lang]) != len(topics) {
			t.Errorf("%s: %d topics, want %d", lang, len(content[lang]), len(topics))
		}
		for _, tp := range topics {
			l, ok := content[lang][tp.key]
			if !ok {
				t.Errorf("%s: no texts for %s", lang, tp.key)
				continue
			}
			if len(l.Subject) != len(l.Opening) {
				t.Errorf("%s/%s: %d subjects for %d openings", lang, tp.key, len(l.Subject), len(l.Opening))
			}
			en := stages(content["en"][tp.key])
			for name, texts := range stages(l) {
				if len(texts) == 0 && name != "Direct" {
					t.Errorf("%s/%s: no %s", lang, tp.key, name)
				}
				if len(texts) != len(en[name]) {
					t.Errorf("%s/%s: %d %s variants, English has %d", lang, tp.key, len(texts), name, len(en[name]))
					continue
				}
				for i, s := range texts {
					where := fmt.Sprintf("%s/%s %s[%d]", lang, tp.key, name, i)
					if prev, dup := seen[s]; dup {
						t.Errorf("%s repeats %s", where, prev)
					}
					seen[s] = where
					got, want := placeholderRE.FindAllString(s, -1), placeholderRE.FindAllString(en[name][i], -1)
					slices.Sort(got)
					slices.Sort(want)
					got, want = slices.Compact(got), slices.Compact(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s: placeholders %v, English has %v", where, got, want)
					}
					for _, p := range got {
						if !slices.Contains(knownDetails, p) {
							t.Errorf("%s: unknown placeholder %s", where, p)
						}
					}
					if lang != "en" && s == en[name][i] {
						t.Errorf("%s: same as English", where)
					}
					if strings.TrimSpace(s) != s || strings.ContainsAny(s, "\n\t") {
						t.Errorf("%s: stray white space", where)
					}
				}
			}
		}
	}
}

// TestConversations: every demo ticket is one conversation. Its subject
// and every message come from its topic in its language (in the order the
// script gives), with the same order number, invoice, tracking number and
// amount throughout; no agent writes the same text twice on a ticket;
// agents greet the requester by first name and sign with their own name.
func TestConversations(t *testing.T) {
	now := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	_, convs := generate(Options{Now: now, Seed: 1})
	if len(convs) != 3000 {
		t.Fatalf("%d conversations", len(convs))
	}
	names := map[string]string{}
	for _, a := range agents {
		names["agent:"+a.Email] = a.Name
	}
	reasons := map[string]string{}
	for _, tp := range topics {
		reasons[tp.key] = tp.reason
	}
	topicsSeen := map[string]bool{}
	for _, cv := range convs {
		tk := cv.ticket
		id := tk.ExternalID
		topicsSeen[cv.topic] = true
		l := content[tk.Language][cv.topic]
		fill := placeholders(cv.details)
		render := func(texts []string) []string {
			out := make([]string, len(texts))
			for i, s := range texts {
				out[i] = fill.Replace(s)
			}
			return out
		}
		// which stage a body carries: the longest text of the topic it
		// holds (a short text may recur inside a longer one)
		stageOf := func(body string) string {
			stage, n := "", 0
			for name, texts := range stages(l) {
				if name == "Subject" {
					continue
				}
				for _, s := range render(texts) {
					if len(s) > n && strings.Contains(body, s) {
						stage, n = name, len(s)
					}
				}
			}
			return stage
		}
		if !slices.Contains(render(l.Subject), tk.Subject) {
			t.Fatalf("%s (%s/%s): subject %q is not the topic's", id, tk.Language, cv.topic, tk.Subject)
		}
		if tk.CustomFields["contact_reason"] != reasons[cv.topic] {
			t.Fatalf("%s: contact reason %v for topic %s", id, tk.CustomFields["contact_reason"], cv.topic)
		}
		if o, ok := tk.CustomFields["order_number"]; ok && o != cv.details["order"] {
			t.Fatalf("%s: order field %v, conversation about %s", id, o, cv.details["order"])
		}
		if p, ok := tk.CustomFields["product"]; ok {
			i := slices.IndexFunc(products, func(pr product) bool { return pr.label == p })
			if i < 0 || products[i].name[tk.Language] != cv.details["product"] {
				t.Fatalf("%s: product field %v, conversation about %s", id, p, cv.details["product"])
			}
		}
		first, _, _ := strings.Cut(tk.RequesterName, " ")
		agentSaid := map[string]bool{}
		var script []string
		texts := []string{tk.Subject}
		for i, a := range tk.Timeline {
			if a.Do != "comment" {
				continue
			}
			texts = append(texts, a.Body)
			stage := stageOf(a.Body)
			agent := strings.HasPrefix(a.Actor, "agent:")
			switch {
			case stage == "":
				t.Fatalf("%s (%s/%s): message is not from its topic:\n%s", id, tk.Language, cv.topic, a.Body)
			case i == 0:
				if stage != "Opening" {
					t.Fatalf("%s: first message is %s", id, stage)
				}
				if tk.Channel == "phone" && (!agent || a.Public || !strings.Contains(a.Body, tk.RequesterName)) {
					t.Fatalf("%s: phone call note %+v", id, a)
				}
			case agent && !a.Public:
				if stage != "Notes" {
					t.Fatalf("%s: internal note is %s", id, stage)
				}
			case agent:
				script = append(script, stage)
				if !strings.Contains(a.Body, first) {
					t.Fatalf("%s: reply does not greet %s:\n%s", id, first, a.Body)
				}
				if tk.Channel != "chat" && !strings.HasSuffix(a.Body, names[a.Actor]) && !strings.Contains(a.Body, names[a.Actor]+"\n") {
					t.Fatalf("%s: reply by %s is not signed with the name %s:\n%s", id, a.Actor, names[a.Actor], a.Body)
				}
			default:
				script = append(script, stage)
				if a.Actor != "customer:"+tk.Requester {
					t.Fatalf("%s: message by %s", id, a.Actor)
				}
				if tk.Channel != "chat" && !strings.HasSuffix(a.Body, first) {
					t.Fatalf("%s: follow-up not signed %s:\n%s", id, first, a.Body)
				}
			}
			if agent {
				if agentSaid[a.Body] {
					t.Fatalf("%s: an agent wrote the same text twice:\n%s", id, a.Body)
				}
				agentSaid[a.Body] = true
			}
		}
		if !validScript(script) {
			t.Fatalf("%s (%s/%s): conversation goes %v", id, tk.Language, cv.topic, script)
		}
		for _, s := range texts {
			if m := placeholderRE.FindString(s); m != "" {
				t.Fatalf("%s: unfilled %s in %q", id, m, s)
			}
			for re, want := range map[*regexp.Regexp]string{orderRE: cv.details["order"], invoiceRE: cv.details["invoice"], trackingRE: cv.details["tracking"]} {
				for _, m := range re.FindAllString(s, -1) {
					if m != want {
						t.Fatalf("%s: names %s, the ticket's is %s: %q", id, m, want, s)
					}
				}
			}
		}
	}
	if len(topicsSeen) != len(topics) {
		t.Errorf("topics used: %v", topicsSeen)
	}
}

// validScript: the public messages after the opening follow one of the
// paths in lines' documentation (the history may stop anywhere).
func validScript(s []string) bool {
	paths := [][]string{
		{"Resolve", "Reopen", "Reopened"},
		{"Direct", "Answer", "Resolve"},
		{"Ask", "Answer", "Resolve", "Reopen", "Reopened"},
		{"Ask", "Answer", "Update", "Nudge", "Resolve", "Reopen", "Reopened"},
	}
	for _, p := range paths {
		if len(s) <= len(p) && slices.Equal(s, p[:len(s)]) {
			return true
		}
	}
	return false
}

// TestMoney: amounts read the way each market writes them.
func TestMoney(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"en", 89, "£89.00"}, {"nb", 2490, "2 490 kr"}, {"sv", 599, "599 kr"},
		{"da", 1399, "1.399 kr."}, {"sl", 219, "219,00 €"}, {"sl", 1049, "1.049,00 €"},
	} {
		if got := money(c.lang, c.n); got != c.want {
			t.Errorf("money(%s, %d) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}
