// Package demo generates a believable support team's history — teams,
// agents, organizations, customers and tickets with replies, notes,
// reassignments, reopens and solves in five languages — as importer
// records, so the demo goes through the same code as a real import.
package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/importer"
)

// Options size the demo. Zero values take the defaults.
type Options struct {
	Now       time.Time
	Seed      int64
	Tickets   int // default 3000
	Customers int // default 300
	Orgs      int // default 40
	Days      int // default 120
	Password  string
}

// AgentLogin is a demo agent's sign-in.
type AgentLogin struct{ Email, Name, Role string }

type demoAgent struct {
	AgentLogin
	locale, zone string
	skills       []string
	teams        []string
}

var agents = []demoAgent{
	{AgentLogin{"admin@ombud.test", "Astrid Solberg", "admin"}, "nb", "Europe/Oslo", []string{"lang:nb", "lang:en"}, []string{"Support"}},
	{AgentLogin{"lead@ombud.test", "Henrik Lund", "manager"}, "sv", "Europe/Stockholm", []string{"lang:sv", "lang:en", "lang:nb"}, []string{"Support", "Billing"}},
	{AgentLogin{"ingrid@ombud.test", "Ingrid Haugen", "agent"}, "nb", "Europe/Oslo", []string{"lang:nb", "lang:da", "lang:en", "channel:chat"}, []string{"Support", "Billing"}},
	{AgentLogin{"erik@ombud.test", "Erik Lindberg", "agent"}, "sv", "Europe/Stockholm", []string{"lang:sv", "lang:en", "channel:phone"}, []string{"Support"}},
	{AgentLogin{"maja@ombud.test", "Maja Kovač", "agent"}, "sl", "Europe/Ljubljana", []string{"lang:sl", "lang:en", "product:billing"}, []string{"Billing"}},
	{AgentLogin{"sofie@ombud.test", "Sofie Madsen", "qa_reviewer"}, "da", "Europe/Copenhagen", []string{"lang:da", "lang:en"}, []string{"Support"}},
}

// Agents lists the demo agents, admin first.
func Agents() []AgentLogin {
	out := make([]AgentLogin, len(agents))
	for i, a := range agents {
		out[i] = a.AgentLogin
	}
	return out
}

type customer struct {
	name, email, lang, org string
}

type gen struct {
	r    *rand.Rand
	now  time.Time
	oslo *time.Location
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func weighted(r *rand.Rand, choices []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := r.IntN(total)
	for i, w := range weights {
		if n < w {
			return choices[i]
		}
		n -= w
	}
	return choices[len(choices)-1]
}

func ascii(s string) string {
	r := strings.NewReplacer("æ", "ae", "ø", "o", "å", "a", "ä", "a", "ö", "o", "č", "c", "š", "s", "ž", "z", "Ž", "Z", "Š", "S", "Ø", "O", "Æ", "Ae", "Å", "A", "Ä", "A", "Ö", "O", "é", "e", "ć", "c", "đ", "d")
	return strings.ToLower(r.Replace(s))
}

// Generate returns the demo records: teams, agents, organizations,
// customers, then tickets in creation order.
func Generate(o Options) []importer.Record {
	if o.Tickets == 0 {
		o.Tickets = 3000
	}
	if o.Customers == 0 {
		o.Customers = 300
	}
	if o.Orgs == 0 {
		o.Orgs = 40
	}
	if o.Days == 0 {
		o.Days = 120
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	oslo, err := time.LoadLocation("Europe/Oslo")
	if err != nil {
		oslo = time.UTC
	}
	g := &gen{r: rand.New(rand.NewPCG(uint64(o.Seed), 0x0b0d)), now: o.Now.UTC().Truncate(time.Second), oslo: oslo}
	var recs []importer.Record
	for _, t := range []string{"Support", "Billing"} {
		desc := map[string]string{"Support": "First line for every channel", "Billing": "Invoices, refunds and subscriptions"}[t]
		recs = append(recs, importer.Record{Kind: importer.KindTeam, Team: &importer.Team{Name: t, Description: desc}})
	}
	for _, a := range agents {
		recs = append(recs, importer.Record{Kind: importer.KindAgent, Agent: &importer.Agent{
			Email: a.Email, Name: a.Name, Role: a.Role, Locale: a.locale, TimeZone: a.zone, Skills: a.skills, Teams: a.teams, Password: o.Password,
		}})
	}
	langWeights := []int{35, 25, 15, 12, 13}
	type org struct{ name, domain, lang string }
	var orgs []org
	seenOrg := map[string]bool{}
	for len(orgs) < o.Orgs {
		lang := weighted(g.r, languages, langWeights)
		name := pick(g.r, orgWords[lang]) + " " + pick(g.r, orgSuffix[lang])
		if seenOrg[name] {
			name = pick(g.r, orgWords[lang]) + pick(g.r, []string{"vik", "berg", "dal", "land", "by", "lund"}) + " " + pick(g.r, orgSuffix[lang])
		}
		if seenOrg[name] {
			continue
		}
		seenOrg[name] = true
		base := ascii(strings.Fields(name)[0])
		domain := fmt.Sprintf("%s-%d.example", strings.NewReplacer(".", "", "/", "").Replace(base), len(orgs)+1)
		orgs = append(orgs, org{name, domain, lang})
		recs = append(recs, importer.Record{Kind: importer.KindOrganization, Organization: &importer.Organization{Name: name, Domains: []string{domain}}})
	}
	var customers []customer
	seenEmail := map[string]bool{}
	for len(customers) < o.Customers {
		var c customer
		var domain string
		if g.r.IntN(100) < 85 {
			og := orgs[g.r.IntN(len(orgs))]
			c.org, domain = og.name, og.domain
			c.lang = og.lang
			if g.r.IntN(100) < 15 {
				c.lang = weighted(g.r, languages, langWeights)
			}
		} else {
			c.lang = weighted(g.r, languages, langWeights)
			domain = pick(g.r, []string{"mail.example", "post.example", "inbox.example"})
		}
		first, last := pick(g.r, firstNames[c.lang]), pick(g.r, lastNames[c.lang])
		c.name = first + " " + last
		c.email = ascii(first) + "." + ascii(last) + "@" + domain
		if seenEmail[c.email] {
			c.email = ascii(first) + "." + ascii(last) + fmt.Sprint(len(customers)) + "@" + domain
		}
		if seenEmail[c.email] {
			continue
		}
		seenEmail[c.email] = true
		customers = append(customers, c)
		rec := &importer.Customer{Name: c.name, Emails: []string{c.email}, Organization: c.org, Locale: c.lang}
		if g.r.IntN(100) < 40 {
			prefix := map[string]string{"en": "+44 7", "nb": "+47 9", "sv": "+46 7", "da": "+45 2", "sl": "+386 4"}[c.lang]
			rec.Phones = []string{fmt.Sprintf("%s%d %03d %03d", prefix, g.r.IntN(10), g.r.IntN(1000), len(customers))}
		}
		if g.r.IntN(100) < 15 {
			typ := pick(g.r, []string{"chat", "twitter", "facebook", "whatsapp"})
			rec.Handles = []importer.Identity{{Type: typ, Value: fmt.Sprintf("%s-%s-%d", typ, ascii(first), len(customers))}}
		}
		recs = append(recs, importer.Record{Kind: importer.KindCustomer, Customer: rec})
	}
	var tickets []*importer.Ticket
	start := g.now.AddDate(0, 0, -o.Days)
	for i := 0; i < o.Tickets; i++ {
		at := g.creationTime(start, o.Days)
		tickets = append(tickets, g.ticket(i, customers[g.r.IntN(len(customers))], at))
	}
	sort.SliceStable(tickets, func(i, j int) bool { return tickets[i].Timeline[0].At.Before(tickets[j].Timeline[0].At) })
	for _, t := range tickets {
		recs = append(recs, importer.Record{Kind: importer.KindTicket, Ticket: t})
	}
	return recs
}

// creationTime draws a time with more tickets on weekdays and in office
// hours (Oslo), a gentle upward trend and two incident spikes.
func (g *gen) creationTime(start time.Time, days int) time.Time {
	for {
		// Trend: later days are up to 40% busier.
		d := g.r.Float64()
		if g.r.Float64() > 0.7+0.3*d {
			continue
		}
		day := int(d * float64(days))
		// Incident spikes.
		if g.r.IntN(100) < 4 {
			day = pick(g.r, []int{days / 3, days - 9})
		}
		t := start.AddDate(0, 0, day).In(g.oslo)
		wd := t.Weekday()
		if (wd == time.Saturday || wd == time.Sunday) && g.r.IntN(100) < 70 {
			continue
		}
		hour := int(math.Round(12 + g.r.NormFloat64()*3.2))
		if hour < 0 || hour > 23 {
			continue
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), hour, g.r.IntN(60), g.r.IntN(60), 0, g.oslo)
		if t.After(g.now) || t.Before(start) {
			continue
		}
		return t.UTC()
	}
}

// workTime moves t into Oslo office hours (weekdays 08–17) unless the
// agent happens to work late.
func (g *gen) workTime(t time.Time) time.Time {
	if g.r.IntN(100) < 12 {
		return t
	}
	l := t.In(g.oslo)
	for {
		wd := l.Weekday()
		if wd != time.Saturday && wd != time.Sunday && l.Hour() >= 8 && l.Hour() < 17 {
			return l.UTC()
		}
		if l.Hour() >= 17 || wd == time.Saturday || wd == time.Sunday {
			l = time.Date(l.Year(), l.Month(), l.Day()+1, 8, g.r.IntN(50), g.r.IntN(60), 0, g.oslo)
		} else {
			l = time.Date(l.Year(), l.Month(), l.Day(), 8, g.r.IntN(50), g.r.IntN(60), 0, g.oslo)
		}
	}
}

func (g *gen) fill(s string, lang string) string {
	cur := currencies[lang]
	return strings.NewReplacer(
		"{order}", fmt.Sprintf("%d", 100000+g.r.IntN(900000)),
		"{invoice}", fmt.Sprintf("F-%d", 20000+g.r.IntN(80000)),
		"{amount}", fmt.Sprintf("%d %s", 100+g.r.IntN(4900), cur),
		"{product}", pick(g.r, products),
	).Replace(s)
}

func (g *gen) ticket(i int, c customer, at time.Time) *importer.Ticket {
	weights := make([]int, len(scenarios))
	for j, s := range scenarios {
		weights[j] = s.weight
	}
	idx := make([]string, len(scenarios))
	for j := range idx {
		idx[j] = fmt.Sprint(j)
	}
	var si int
	_, _ = fmt.Sscan(weighted(g.r, idx, weights), &si)
	sc := scenarios[si]
	lang := c.lang
	channel := weighted(g.r, []string{"email", "web", "chat", "phone", "social"}, []int{50, 15, 20, 8, 7})
	priority := weighted(g.r, []string{"low", "normal", "high", "urgent"}, []int{12, 65, 18, 5})
	if sc.kind == "complaint" && priority == "low" {
		priority = "high"
	}
	subject := g.fill(pick(g.r, sc.subject[lang]), lang)
	tags := append([]string{}, sc.tags...)
	if g.r.IntN(100) < 6 {
		tags = append(tags, "vip")
	}
	cust := "customer:" + c.email
	team := "Support"
	if sc.billing {
		team = "Billing"
	}
	members := teamAgents(team)
	assignee := pick(g.r, members)
	tl := []importer.Action{}
	first := importer.Action{At: at, Actor: cust, Do: "comment", Public: true, Body: g.fill(pick(g.r, sc.opening[lang]), lang)}
	if channel == "phone" {
		first.Actor = "agent:" + assignee
		first.Public = false
		first.Body = map[string]string{"en": "Phone call: ", "nb": "Telefonsamtale: ", "sv": "Telefonsamtal: ", "da": "Telefonopkald: ", "sl": "Telefonski klic: "}[lang] + first.Body
	}
	tl = append(tl, first)
	t := at
	step := func(d time.Duration, work bool) time.Time {
		t = t.Add(d)
		if work {
			t = g.workTime(t)
		}
		return t
	}
	// Triage: the lead or the system routes to a team and an agent.
	ag := func(email string) string { return "agent:" + email }
	var firstDelay time.Duration
	switch channel {
	case "chat":
		firstDelay = time.Duration(1+g.r.IntN(8)) * time.Minute
	case "phone":
		firstDelay = time.Duration(2+g.r.IntN(10)) * time.Minute
	default:
		firstDelay = time.Duration(10+g.r.IntN(300)) * time.Minute
	}
	tl = append(tl, importer.Action{At: step(time.Duration(1+g.r.IntN(20))*time.Minute, channel != "chat"), Actor: ag("lead@ombud.test"), Do: "assign", Assignee: &assignee, Team: &team})
	if g.r.IntN(100) < 10 {
		p := map[string]string{"low": "normal", "normal": "high", "high": "urgent", "urgent": "high"}[priority]
		tl = append(tl, importer.Action{At: step(time.Duration(1+g.r.IntN(10))*time.Minute, false), Actor: ag(assignee), Do: "priority", To: p})
	}
	if g.r.IntN(100) < 30 {
		tl = append(tl, importer.Action{At: step(time.Duration(2+g.r.IntN(30))*time.Minute, true), Actor: ag(assignee), Do: "comment", Public: false, Body: g.fill(pick(g.r, sc.notes[lang]), lang)})
	}
	if g.r.IntN(100) < 15 {
		// Handover: another agent, or Support → Billing for money matters.
		newTeam := team
		if team == "Support" && g.r.IntN(2) == 0 {
			newTeam = "Billing"
		}
		others := teamAgents(newTeam)
		next := pick(g.r, others)
		if next != assignee {
			assignee = next
			tl = append(tl, importer.Action{At: step(time.Duration(5+g.r.IntN(120))*time.Minute, true), Actor: ag("lead@ombud.test"), Do: "assign", Assignee: &assignee, Team: &newTeam})
			if newTeam != team {
				tl = append(tl, importer.Action{At: step(time.Minute, false), Actor: ag("lead@ombud.test"), Do: "tags", Add: []string{"handover"}})
			}
			team = newTeam
		}
	}
	// Recent tickets carry the backlog a real team has: some wait for a
	// first answer, some wait days for the customer.
	age := g.now.Sub(at)
	customerWait := func() time.Duration { return time.Duration(30+g.r.IntN(2000)) * time.Minute }
	if age < 3*24*time.Hour && g.r.IntN(100) < 35 {
		firstDelay = time.Duration(12+g.r.IntN(60)) * time.Hour
	}
	forceRound := false
	if age < 14*24*time.Hour && g.r.IntN(100) < 45 {
		forceRound = true
		customerWait = func() time.Duration { return time.Duration(24+g.r.IntN(24*12)) * time.Hour }
	}
	status := "new"
	reply := func(public bool) {
		tl = append(tl, importer.Action{At: step(firstDelay, channel != "chat"), Actor: ag(assignee), Do: "comment", Public: public, Body: g.fill(pick(g.r, sc.replies[lang]), lang)})
	}
	setStatus := func(to string, actor string) {
		if to == status {
			return
		}
		tl = append(tl, importer.Action{At: step(time.Duration(10+g.r.IntN(50))*time.Second, false), Actor: actor, Do: "status", To: to})
		status = to
	}
	reply(true)
	setStatus("open", ag(assignee))
	rounds := 0
	if forceRound || g.r.IntN(100) < 55 {
		rounds = 1 + g.r.IntN(2)
	}
	for range rounds {
		if g.r.IntN(100) < 12 {
			setStatus("on_hold", ag(assignee))
			tl = append(tl, importer.Action{At: step(time.Duration(2+g.r.IntN(40))*time.Hour, true), Actor: ag(assignee), Do: "comment", Public: false, Body: g.fill(pick(g.r, sc.notes[lang]), lang)})
			setStatus("open", ag(assignee))
		}
		setStatus("pending", ag(assignee))
		tl = append(tl, importer.Action{At: step(customerWait(), false), Actor: cust, Do: "comment", Public: true, Body: pick(g.r, sc.followup[lang])})
		setStatus("open", "system")
		firstDelay = time.Duration(5+g.r.IntN(240)) * time.Minute
		reply(true)
	}
	setStatus("solved", ag(assignee))
	if g.r.IntN(100) < 9 {
		// Reopened by the customer, then solved again.
		tl = append(tl, importer.Action{At: step(time.Duration(3+g.r.IntN(60))*time.Hour, false), Actor: cust, Do: "comment", Public: true, Body: pick(g.r, sc.followup[lang])})
		setStatus("open", "system")
		firstDelay = time.Duration(10+g.r.IntN(200)) * time.Minute
		reply(true)
		setStatus("solved", ag(assignee))
	}
	tl = append(tl, importer.Action{At: step(96*time.Hour+time.Duration(g.r.IntN(600))*time.Minute, false), Actor: "system", Do: "status", To: "closed"})
	// History stops now: later steps have not happened yet.
	cut := len(tl)
	for j, a := range tl {
		if a.At.After(g.now) {
			cut = j
			break
		}
	}
	tl = tl[:cut]
	return &importer.Ticket{
		ExternalID: fmt.Sprintf("demo-%05d", i+1), Subject: subject, Requester: c.email, RequesterName: c.name,
		Channel: channel, Priority: priority, Type: sc.kind, Language: lang, Tags: tags, Timeline: tl,
	}
}

func teamAgents(team string) []string {
	var out []string
	for _, a := range agents {
		if (a.Role == "agent" || (a.Role == "manager" && team == "Billing")) && contains(a.teams, team) {
			out = append(out, a.Email)
		}
	}
	return out
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
