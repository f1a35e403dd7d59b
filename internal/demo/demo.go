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
	first, name, email, lang, org string
}

type gen struct {
	r    *rand.Rand
	now  time.Time
	oslo *time.Location
	// used order and invoice numbers: each ticket has its own
	orders, invoices map[int]bool
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
	recs, _ := generate(o)
	return recs
}

// conversation is the plan behind one demo ticket: its topic and the
// details every message of it refers to.
type conversation struct {
	topic   string
	details map[string]string
	ticket  *importer.Ticket
}

func generate(o Options) ([]importer.Record, []conversation) {
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
	g := &gen{r: rand.New(rand.NewPCG(uint64(o.Seed), 0x0b0d)), now: o.Now.UTC().Truncate(time.Second), oslo: oslo,
		orders: map[int]bool{}, invoices: map[int]bool{}}
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
		c.first, c.name = first, first+" "+last
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
	var convs []conversation
	start := g.now.AddDate(0, 0, -o.Days)
	for i := 0; i < o.Tickets; i++ {
		at := g.creationTime(start, o.Days)
		convs = append(convs, g.ticket(i, customers[g.r.IntN(len(customers))], at))
	}
	sort.SliceStable(convs, func(i, j int) bool { return convs[i].ticket.Timeline[0].At.Before(convs[j].ticket.Timeline[0].At) })
	for _, c := range convs {
		recs = append(recs, importer.Record{Kind: importer.KindTicket, Ticket: c.ticket})
	}
	return recs, convs
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

// details draws what one conversation refers to — order and invoice
// numbers, the product and its price, sizes, a tracking number, … — once,
// so every message of the ticket names the same ones. It returns them as
// placeholder values and the product's index.
func (g *gen) details(tp topic, c customer) (map[string]string, int) {
	lang := c.lang
	var sized []int
	for i, p := range products {
		if len(p.sizes) > 1 {
			sized = append(sized, i)
		}
	}
	pi := g.r.IntN(len(products))
	if tp.sized {
		pi = pick(g.r, sized)
	}
	p := products[pi]
	d := map[string]string{
		"order":    fmt.Sprint(g.unique(g.orders, 100000, 900000)),
		"invoice":  fmt.Sprint(invoicePrefix[lang], g.unique(g.invoices, 10000, 90000)),
		"product":  p.name[lang],
		"amount":   money(lang, p.price[lang]),
		"tracking": fmt.Sprintf("70%012d", g.r.Int64N(1e12)),
		"card":     fmt.Sprintf("%04d", g.r.IntN(10000)),
		"feature":  pick(g.r, features)[lang],
		"plan":     pick(g.r, plans),
		"email":    c.email,
		"size":     "", // set below for a product in sizes
		"newsize":  "",
	}
	if len(p.sizes) > 1 {
		k := g.r.IntN(len(p.sizes) - 1)
		d["size"], d["newsize"] = p.sizes[k], p.sizes[k+1]
	}
	minor, patch := 1+g.r.IntN(9), g.r.IntN(6)
	d["version"], d["fixversion"] = fmt.Sprintf("4.%d.%d", minor, patch), fmt.Sprintf("4.%d.%d", minor, patch+1)
	return d, pi
}

// unique draws a number in [base, base+n) not drawn before (once all
// are taken, a huge demo repeats some).
func (g *gen) unique(used map[int]bool, base, n int) int {
	for {
		v := base + g.r.IntN(n)
		if !used[v] || len(used) >= n {
			used[v] = true
			return v
		}
	}
}

// money writes an amount the way the language's market does.
func money(lang string, n int) string {
	group := func(sep string) string {
		if n < 1000 {
			return fmt.Sprint(n)
		}
		return fmt.Sprintf("%d%s%03d", n/1000, sep, n%1000)
	}
	switch lang {
	case "en":
		return fmt.Sprintf("£%d.00", n)
	case "sl":
		return group(".") + ",00 €"
	case "da":
		return group(".") + " kr."
	}
	return group(" ") + " kr"
}

func placeholders(d map[string]string) *strings.Replacer {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, "{"+k+"}", d[k])
	}
	return strings.NewReplacer(pairs...)
}

func (g *gen) topic() topic {
	total := 0
	for _, t := range topics {
		total += t.weight
	}
	n := g.r.IntN(total)
	for _, t := range topics {
		if n < t.weight {
			return t
		}
		n -= t.weight
	}
	return topics[len(topics)-1]
}

var agentNames = func() map[string]string {
	m := map[string]string{}
	for _, a := range agents {
		m[a.Email] = a.Name
	}
	return m
}()

func (g *gen) ticket(i int, c customer, at time.Time) conversation {
	tp := g.topic()
	lang := c.lang
	tx, fr := content[lang][tp.key], frames[lang]
	d, pi := g.details(tp, c)
	fill := placeholders(d)
	say := func(variants []string) string { return fill.Replace(pick(g.r, variants)) }
	channel := weighted(g.r, []string{"email", "web", "chat", "phone", "social"}, []int{50, 15, 20, 8, 7})
	priority := weighted(g.r, []string{"low", "normal", "high", "urgent"}, []int{12, 65, 18, 5})
	if tp.kind == "complaint" && priority == "low" {
		priority = "high"
	}
	si := g.r.IntN(len(tx.Subject))
	subject := fill.Replace(tx.Subject[si])
	opening := fill.Replace(tx.Opening[si%len(tx.Opening)])
	tags := append([]string{}, tp.tags...)
	if g.r.IntN(100) < 6 {
		tags = append(tags, "vip")
	}
	fields := map[string]any{"contact_reason": tp.reason}
	if uses(tp.key, "order") {
		fields["order_number"] = d["order"]
	}
	if uses(tp.key, "product") {
		fields["product"] = products[pi].label
	}
	cust := "customer:" + c.email
	team := "Support"
	if tp.billing {
		team = "Billing"
	}
	members := teamAgents(team)
	assignee := pick(g.r, members)
	// Messages are framed as people write them: the customer greets and
	// signs, the agent greets the requester by first name and signs with
	// the name of whoever answers (chat has no letter-style signatures).
	fromCustomer := func(body string, first bool) string {
		switch {
		case channel == "chat":
			return body
		case first:
			return pick(g.r, fr.CustomerGreet) + "\n\n" + body + "\n\n" + strings.ReplaceAll(pick(g.r, fr.CustomerSign), "{name}", c.name)
		}
		return body + "\n\n" + c.first
	}
	fromAgent := func(body string) string {
		s := strings.ReplaceAll(pick(g.r, fr.Greet), "{first}", c.first) + "\n\n" + body
		if channel != "chat" {
			s += "\n\n" + strings.ReplaceAll(pick(g.r, fr.Sign), "{agent}", agentNames[assignee])
		}
		return s
	}
	// Internal notes are drawn without repeats; a ticket that wants more
	// notes than its topic has simply gets fewer.
	notes := append([]string{}, tx.Notes...)
	g.r.Shuffle(len(notes), func(a, b int) { notes[a], notes[b] = notes[b], notes[a] })
	note := func() (string, bool) {
		if len(notes) == 0 {
			return "", false
		}
		n := notes[0]
		notes = notes[1:]
		return fill.Replace(n), true
	}
	tl := []importer.Action{}
	first := importer.Action{At: at, Actor: cust, Do: "comment", Public: true, Body: fromCustomer(opening, true)}
	if channel == "phone" {
		first.Actor = "agent:" + assignee
		first.Public = false
		first.Body = strings.ReplaceAll(fr.Phone, "{name}", c.name) + "\n\n" + opening
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
		if n, ok := note(); ok {
			tl = append(tl, importer.Action{At: step(time.Duration(2+g.r.IntN(30))*time.Minute, true), Actor: ag(assignee), Do: "comment", Public: false, Body: n})
		}
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
	reply := func(stage []string) {
		tl = append(tl, importer.Action{At: step(firstDelay, channel != "chat"), Actor: ag(assignee), Do: "comment", Public: true, Body: fromAgent(say(stage))})
	}
	customerSays := func(stage []string) {
		tl = append(tl, importer.Action{At: step(customerWait(), false), Actor: cust, Do: "comment", Public: true, Body: fromCustomer(say(stage), false)})
	}
	setStatus := func(to string, actor string) {
		if to == status {
			return
		}
		tl = append(tl, importer.Action{At: step(time.Duration(10+g.r.IntN(50))*time.Second, false), Actor: actor, Do: "status", To: to})
		status = to
	}
	// The script (see lines in content.go): with no rounds the first reply
	// solves (Direct or Resolve); otherwise Ask, then per round the
	// customer answers (Answer, then Nudge) and the agent replies (Update,
	// and Resolve in the last round). Every agent reply is another stage,
	// so no reply repeats on a ticket.
	rounds := 0
	if forceRound || g.r.IntN(100) < 55 {
		rounds = 1 + g.r.IntN(2)
	}
	direct := false
	switch {
	case rounds > 0:
		reply(tx.Ask)
	case len(tx.Direct) > 0:
		direct = true
		reply(tx.Direct)
	default:
		reply(tx.Resolve)
	}
	setStatus("open", ag(assignee))
	for k := 1; k <= rounds; k++ {
		if g.r.IntN(100) < 12 {
			setStatus("on_hold", ag(assignee))
			if n, ok := note(); ok {
				tl = append(tl, importer.Action{At: step(time.Duration(2+g.r.IntN(40))*time.Hour, true), Actor: ag(assignee), Do: "comment", Public: false, Body: n})
			}
			setStatus("open", ag(assignee))
		}
		setStatus("pending", ag(assignee))
		if k == 1 {
			customerSays(tx.Answer)
		} else {
			customerSays(tx.Nudge)
		}
		setStatus("open", "system")
		firstDelay = time.Duration(5+g.r.IntN(240)) * time.Minute
		if k == rounds {
			reply(tx.Resolve)
		} else {
			reply(tx.Update)
		}
	}
	setStatus("solved", ag(assignee))
	if g.r.IntN(100) < 9 {
		// Reopened by the customer, then solved again. After a direct
		// answer the conversation goes on where Ask would have led.
		customerWait = func() time.Duration { return time.Duration(3+g.r.IntN(60)) * time.Hour }
		if direct {
			customerSays(tx.Answer)
		} else {
			customerSays(tx.Reopen)
		}
		setStatus("open", "system")
		firstDelay = time.Duration(10+g.r.IntN(200)) * time.Minute
		if direct {
			reply(tx.Resolve)
		} else {
			reply(tx.Reopened)
		}
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
	return conversation{topic: tp.key, details: d, ticket: &importer.Ticket{
		ExternalID: fmt.Sprintf("demo-%05d", i+1), Subject: subject, Requester: c.email, RequesterName: c.name,
		Channel: channel, Priority: priority, Type: tp.kind, Language: lang, Tags: tags, CustomFields: fields, Timeline: tl,
	}}
}

// Field is a custom ticket field the demo tickets fill in; it must exist
// before they are imported.
type Field struct {
	Key, Label, Type string
	Options          []string
}

// Fields lists the demo's custom fields: why the customer got in touch,
// and the order number and product a conversation is about.
func Fields() []Field {
	reasons := make([]string, len(topics))
	for i, t := range topics {
		reasons[i] = t.reason
	}
	names := make([]string, len(products))
	for i, p := range products {
		names[i] = p.label
	}
	return []Field{
		{Key: "contact_reason", Label: "Contact reason", Type: "dropdown", Options: reasons},
		{Key: "order_number", Label: "Order number", Type: "text"},
		{Key: "product", Label: "Product", Type: "dropdown", Options: names},
	}
}

// uses reports whether a topic's conversations name a detail ("order",
// "product", …); the English texts decide, and a test holds every
// language to the same placeholders.
func uses(topicKey, detail string) bool {
	l := content["en"][topicKey]
	for _, stage := range [][]string{l.Subject, l.Opening, l.Ask, l.Answer, l.Update, l.Nudge, l.Resolve, l.Direct, l.Reopen, l.Reopened, l.Notes} {
		for _, s := range stage {
			if strings.Contains(s, "{"+detail+"}") {
				return true
			}
		}
	}
	return false
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
