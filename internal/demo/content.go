package demo

// Written for Ombud's demo. A ticket is one conversation about one topic:
// the texts of every topic are kept per language in content_<lang>.go,
// stage by stage, and the details a conversation refers to (order number,
// product, amount, …) are drawn once per ticket and filled into every
// message, so the subject, the customer's messages, the agents' replies
// and the internal notes all talk about the same thing.

// lines are one topic's texts in one language. A conversation takes them
// in this order (see script in demo.go):
//
//	Subject + Opening   the customer's first message; Subject[i] goes with Opening[i]
//	Ask                 the agent's first reply when more is needed from the customer
//	Answer              the customer's reply to Ask (or to Direct)
//	Update              the agent's progress report when a second round follows
//	Nudge               the customer's second follow-up, after Update
//	Resolve             the agent's outcome; it reads well after Opening, Answer or Nudge
//	Direct              optional: a one-touch first reply that solves, after which
//	                    a reopen continues with Answer and Resolve; topics whose
//	                    Resolve presumes a step by the customer need it
//	Reopen, Reopened    the customer writes again after Resolve, and the agent's answer
//	Notes               internal notes, true at any point of the conversation
//
// Placeholders: {order} {invoice} {amount} {product} {size} {newsize}
// {tracking} {card} {version} {fixversion} {feature} {plan} {email}.
type lines struct {
	Subject, Opening           []string
	Ask, Answer, Update, Nudge []string
	Resolve, Direct            []string
	Reopen, Reopened           []string
	Notes                      []string
}

// frame is how messages open and close in a language: agents greet the
// requester by first name and sign with their own name; customers sign
// their first message with their full name and follow-ups with the first.
// {first} is the requester's first name, {name} the full name, {agent} the
// answering agent's name.
type frame struct {
	Greet, Sign                 []string
	CustomerGreet, CustomerSign []string
	Phone                       string // heads the agent's note of a phone call
}

// topic is what a conversation is about; its texts are in every language.
type topic struct {
	key     string
	reason  string // the demo's "Contact reason" field value
	kind    string // ticket type
	tags    []string
	billing bool // routed to the Billing team
	weight  int
	sized   bool // the product comes in sizes
}

var topics = []topic{
	{key: "order_late", reason: "Late delivery", kind: "incident", tags: []string{"shipping", "delay"}, weight: 12},
	{key: "damaged_item", reason: "Damaged item", kind: "return", tags: []string{"damaged", "return"}, weight: 8},
	{key: "return_refund", reason: "Return", kind: "return", tags: []string{"return"}, weight: 9},
	{key: "exchange_size", reason: "Exchange", kind: "return", tags: []string{"exchange", "size"}, weight: 6, sized: true},
	{key: "refund_missing", reason: "Missing refund", kind: "question", tags: []string{"refund", "billing"}, billing: true, weight: 7},
	{key: "double_charge", reason: "Double charge", kind: "incident", tags: []string{"payment", "billing"}, billing: true, weight: 5},
	{key: "invoice_copy", reason: "Invoice copy", kind: "task", tags: []string{"invoice", "billing"}, billing: true, weight: 7},
	{key: "login_problem", reason: "Login problem", kind: "question", tags: []string{"login", "account"}, weight: 10},
	{key: "bug_report", reason: "Bug report", kind: "problem", tags: []string{"bug", "app"}, weight: 7},
	{key: "feature_request", reason: "Feature request", kind: "task", tags: []string{"feature-request"}, weight: 4},
	{key: "complaint", reason: "Complaint", kind: "complaint", tags: []string{"complaint"}, weight: 5},
	{key: "gdpr_request", reason: "GDPR request", kind: "task", tags: []string{"gdpr", "privacy"}, weight: 3},
	{key: "membership_cancel", reason: "Cancellation", kind: "task", tags: []string{"cancellation", "membership"}, billing: true, weight: 6},
	{key: "product_question", reason: "Product question", kind: "question", tags: []string{"product", "presales"}, weight: 8},
}

var languages = []string{"en", "nb", "sv", "da", "sl"}

var content = map[string]map[string]lines{"en": linesEN, "nb": linesNB, "sv": linesSV, "da": linesDA, "sl": linesSL}

var frames = map[string]frame{"en": frameEN, "nb": frameNB, "sv": frameSV, "da": frameDA, "sl": frameSL}

// product is something the demo shop sells: its name and price in each
// language's market, and sizes if it comes in sizes.
type product struct {
	label string            // the catalogue name, the demo's "Product" field value
	name  map[string]string // as a message names it (English: a singular noun)
	price map[string]int    // whole units of the language's currency
	sizes []string
}

var products = []product{
	{label: "Fjell 2 headset", name: map[string]string{"en": "Fjell 2 headset", "nb": "Fjell 2-headset", "sv": "Fjell 2-headset", "da": "Fjell 2-headset", "sl": "slušalke Fjell 2"},
		price: map[string]int{"en": 89, "nb": 1090, "sv": 1090, "da": 790, "sl": 99}},
	{label: "Vinter down jacket", name: map[string]string{"en": "Vinter down jacket", "nb": "Vinter dunjakke", "sv": "Vinter dunjacka", "da": "Vinter dunjakke", "sl": "puhovka Vinter"},
		price: map[string]int{"en": 189, "nb": 2490, "sv": 2390, "da": 1690, "sl": 219}, sizes: []string{"S", "M", "L", "XL"}},
	{label: "Nordlys desk lamp", name: map[string]string{"en": "Nordlys desk lamp", "nb": "Nordlys skrivebordslampe", "sv": "Nordlys skrivbordslampa", "da": "Nordlys skrivebordslampe", "sl": "namizna svetilka Nordlys"},
		price: map[string]int{"en": 49, "nb": 599, "sv": 599, "da": 449, "sl": 59}},
	{label: "Kompakt USB-C charger", name: map[string]string{"en": "Kompakt USB-C charger", "nb": "Kompakt USB-C-lader", "sv": "Kompakt USB-C-laddare", "da": "Kompakt USB-C-oplader", "sl": "polnilnik Kompakt USB-C"},
		price: map[string]int{"en": 29, "nb": 349, "sv": 349, "da": 249, "sl": 35}},
	{label: "Bris coffee maker", name: map[string]string{"en": "Bris coffee maker", "nb": "Bris kaffetrakter", "sv": "Bris kaffebryggare", "da": "Bris kaffemaskine", "sl": "kavni aparat Bris"},
		price: map[string]int{"en": 119, "nb": 1490, "sv": 1490, "da": 999, "sl": 139}},
	{label: "Sjø 28 L backpack", name: map[string]string{"en": "Sjø 28 L backpack", "nb": "Sjø 28 L tursekk", "sv": "Sjø 28 L ryggsäck", "da": "Sjø 28 L rygsæk", "sl": "nahrbtnik Sjø 28 L"},
		price: map[string]int{"en": 79, "nb": 990, "sv": 990, "da": 699, "sl": 89}},
	{label: "Lun wool blanket", name: map[string]string{"en": "Lun wool blanket", "nb": "Lun ullpledd", "sv": "Lun ullfilt", "da": "Lun uldplaid", "sl": "volnena odeja Lun"},
		price: map[string]int{"en": 69, "nb": 849, "sv": 849, "da": 599, "sl": 79}},
	{label: "Tind hiking boots", name: map[string]string{"en": "pair of Tind hiking boots", "nb": "Tind fjellstøvler", "sv": "Tind vandringskängor", "da": "Tind vandrestøvler", "sl": "pohodni čevlji Tind"},
		price: map[string]int{"en": 149, "nb": 1990, "sv": 1990, "da": 1399, "sl": 169}, sizes: []string{"38", "39", "40", "41", "42", "43", "44", "45", "46"}},
}

// features are what customers ask the shop to add.
var features = []map[string]string{
	{"en": "a dark mode in the app", "nb": "mørk modus i appen", "sv": "mörkt läge i appen", "da": "mørk tilstand i appen", "sl": "temni način v aplikaciji"},
	{"en": "a wish list I can share", "nb": "en ønskeliste som kan deles", "sv": "en önskelista som går att dela", "da": "en ønskeliste, der kan deles", "sl": "seznam želja za deljenje"},
	{"en": "delivery to parcel lockers", "nb": "levering til pakkeautomat", "sv": "leverans till paketskåp", "da": "levering til pakkeboks", "sl": "možnost dostave v paketomat"},
	{"en": "paying by invoice", "nb": "betaling med faktura", "sv": "betalning mot faktura", "da": "betaling med faktura", "sl": "možnost plačila po računu"},
}

// plans are the shop's paid memberships (names are the same everywhere).
var plans = []string{"Plus", "Premium"}

// invoicePrefix starts an invoice number, as each market's invoices do.
var invoicePrefix = map[string]string{"en": "INV-", "nb": "F-", "sv": "F-", "da": "F-", "sl": "R-"}

var firstNames = map[string][]string{
	"en": {"Oliver", "Amelia", "George", "Isla", "Harry", "Emily", "Jack", "Sophie", "Charlie", "Grace"},
	"nb": {"Ola", "Kari", "Lars", "Ingrid", "Ole", "Sigrid", "Henrik", "Nora", "Jonas", "Marte"},
	"sv": {"Erik", "Anna", "Lars", "Elin", "Johan", "Maja", "Oskar", "Ebba", "Nils", "Klara"},
	"da": {"Mads", "Freja", "Søren", "Ida", "Rasmus", "Mette", "Anders", "Sofie", "Jens", "Emma"},
	"sl": {"Luka", "Nina", "Matej", "Eva", "Žiga", "Maja", "Jure", "Špela", "Tadej", "Ana"},
}

var lastNames = map[string][]string{
	"en": {"Smith", "Jones", "Taylor", "Brown", "Wilson", "Evans", "Thomas", "Walker"},
	"nb": {"Nordmann", "Hansen", "Johansen", "Olsen", "Berg", "Haugen", "Bakke", "Lie"},
	"sv": {"Andersson", "Johansson", "Karlsson", "Nilsson", "Lindberg", "Svensson", "Holm", "Ek"},
	"da": {"Jensen", "Nielsen", "Hansen", "Pedersen", "Larsen", "Kristensen", "Møller", "Holm"},
	"sl": {"Novak", "Horvat", "Kovačič", "Krajnc", "Zupančič", "Potočnik", "Kos", "Vidmar"},
}

var orgWords = map[string][]string{
	"en": {"Harbour", "Northgate", "Brightline", "Oakfield", "Kingsway", "Riverside", "Summit", "Westbrook"},
	"nb": {"Fjord", "Vidde", "Bølge", "Nordlys", "Skog", "Havn", "Tind", "Elv"},
	"sv": {"Skärgård", "Fjäll", "Älv", "Björk", "Sjö", "Dal", "Ljung", "Vik"},
	"da": {"Kyst", "Bølle", "Hede", "Strand", "Mølle", "Skov", "Bro", "Vang"},
	"sl": {"Triglav", "Sava", "Soča", "Pohorje", "Kras", "Lipa", "Bled", "Drava"},
}

var orgSuffix = map[string][]string{
	"en": {"Ltd", "Group", "Trading", "Studios"},
	"nb": {"AS", "Gruppen AS", "Handel AS", "Energi AS"},
	"sv": {"AB", "Gruppen AB", "Handel AB", "Design AB"},
	"da": {"ApS", "A/S", "Handel ApS", "Design A/S"},
	"sl": {"d.o.o.", "d.d.", "Trgovina d.o.o.", "Tehnika d.o.o."},
}
