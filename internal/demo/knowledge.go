package demo

// The demo help center: four categories (returns, delivery, billing,
// account) with a section each, a public article per section in the five
// languages, and internal articles for the agents.

// KBText is an article's or a group's text in one language.
type KBText struct {
	Title, Summary, Body string
}

// KBArticle is a demo article: its section (by index into KBGroups),
// visibility and its texts by language ("en" is the source).
type KBArticle struct {
	Group      int
	Visibility string
	Tags       []string
	Texts      map[string]KBText
}

// KBGroup is a category with its one section, names by language.
type KBGroup struct {
	Category, Section map[string]string
}

// KBGroups are the demo categories and sections.
var KBGroups = []KBGroup{
	{Category: map[string]string{"en": "Returns and exchanges", "nb": "Retur og bytte", "sv": "Returer och byten", "da": "Returnering og ombytning", "sl": "Vračila in zamenjave"},
		Section: map[string]string{"en": "Sending an item back", "nb": "Sende en vare tilbake", "sv": "Skicka tillbaka en vara", "da": "Send en vare retur", "sl": "Vračilo izdelka"}},
	{Category: map[string]string{"en": "Delivery", "nb": "Levering", "sv": "Leverans", "da": "Levering", "sl": "Dostava"},
		Section: map[string]string{"en": "Tracking and delivery times", "nb": "Sporing og leveringstid", "sv": "Spårning och leveranstider", "da": "Sporing og leveringstider", "sl": "Sledenje in roki dostave"}},
	{Category: map[string]string{"en": "Billing", "nb": "Betaling og faktura", "sv": "Betalning och faktura", "da": "Betaling og faktura", "sl": "Plačila in računi"},
		Section: map[string]string{"en": "Invoices and refunds", "nb": "Fakturaer og tilbakebetaling", "sv": "Fakturor och återbetalningar", "da": "Fakturaer og tilbagebetalinger", "sl": "Računi in vračila denarja"}},
	{Category: map[string]string{"en": "Your account", "nb": "Kontoen din", "sv": "Ditt konto", "da": "Din konto", "sl": "Vaš račun"},
		Section: map[string]string{"en": "Signing in and details", "nb": "Innlogging og opplysninger", "sv": "Inloggning och uppgifter", "da": "Log ind og oplysninger", "sl": "Prijava in podatki"}},
}

// KBArticles are the demo articles.
var KBArticles = []KBArticle{
	{Group: 0, Visibility: "public", Tags: []string{"return", "refund"}, Texts: map[string]KBText{
		"en": {"How do I return an item?", "Return within 30 days with the prepaid label.", "You can return any item within **30 days** of delivery.\n\n1. Open your order confirmation and choose *Return an item*.\n2. Print the prepaid return label.\n3. Drop the parcel at any post office or parcel locker.\n\nWe refund you within five working days after the parcel reaches our warehouse."},
		"nb": {"Hvordan returnerer jeg en vare?", "Returner innen 30 dager med den forhåndsbetalte etiketten.", "Du kan returnere alle varer innen **30 dager** etter levering.\n\n1. Åpne ordrebekreftelsen og velg *Returner en vare*.\n2. Skriv ut den forhåndsbetalte returetiketten.\n3. Lever pakken på et postkontor eller i en pakkeboks.\n\nVi betaler tilbake innen fem virkedager etter at pakken er kommet fram til lageret vårt."},
		"sv": {"Hur returnerar jag en vara?", "Returnera inom 30 dagar med den förbetalda etiketten.", "Du kan returnera alla varor inom **30 dagar** efter leverans.\n\n1. Öppna orderbekräftelsen och välj *Returnera en vara*.\n2. Skriv ut den förbetalda returetiketten.\n3. Lämna paketet på ett postombud eller i ett paketskåp.\n\nVi betalar tillbaka inom fem arbetsdagar efter att paketet har kommit fram till vårt lager."},
		"da": {"Hvordan returnerer jeg en vare?", "Returnér inden for 30 dage med den forudbetalte label.", "Du kan returnere alle varer inden for **30 dage** efter levering.\n\n1. Åbn ordrebekræftelsen, og vælg *Returnér en vare*.\n2. Udskriv den forudbetalte returlabel.\n3. Aflevér pakken i en pakkeshop eller pakkeboks.\n\nVi tilbagebetaler inden for fem hverdage, efter at pakken er nået frem til vores lager."},
		"sl": {"Kako vrnem izdelek?", "Izdelek vrnite v 30 dneh s plačano nalepko.", "Vsak izdelek lahko vrnete v **30 dneh** po dostavi.\n\n1. Odprite potrdilo o naročilu in izberite *Vrni izdelek*.\n2. Natisnite plačano nalepko za vračilo.\n3. Paket oddajte na kateri koli pošti ali v paketniku.\n\nDenar vam vrnemo v petih delovnih dneh po tem, ko paket prispe v naše skladišče."},
	}},
	{Group: 1, Visibility: "public", Tags: []string{"delivery", "tracking"}, Texts: map[string]KBText{
		"en": {"Where is my parcel?", "Track your parcel with the link in the shipping mail.", "When your order ships you get a mail with a **tracking link**. Parcels usually arrive within two to four working days.\n\nIf the tracking has not moved for five working days, reply to the shipping mail and we will look into it with the carrier."},
		"nb": {"Hvor er pakken min?", "Spor pakken med lenken i forsendelsesmailen.", "Når bestillingen sendes, får du en e-post med en **sporingslenke**. Pakker kommer vanligvis fram på to til fire virkedager.\n\nHvis sporingen ikke har endret seg på fem virkedager, svarer du på forsendelsesmailen, så undersøker vi saken med transportøren."},
		"sv": {"Var är mitt paket?", "Spåra paketet med länken i leveransmejlet.", "När din beställning skickas får du ett mejl med en **spårningslänk**. Paket kommer vanligtvis fram inom två till fyra arbetsdagar.\n\nOm spårningen inte har ändrats på fem arbetsdagar svarar du på leveransmejlet, så undersöker vi saken med transportören."},
		"da": {"Hvor er min pakke?", "Spor pakken med linket i forsendelsesmailen.", "Når din ordre sendes, får du en mail med et **sporingslink**. Pakker når normalt frem inden for to til fire hverdage.\n\nHvis sporingen ikke har flyttet sig i fem hverdage, så svar på forsendelsesmailen, så undersøger vi sagen med fragtfirmaet."},
		"sl": {"Kje je moj paket?", "Paket sledite s povezavo v sporočilu o odpremi.", "Ko je naročilo odposlano, prejmete sporočilo s **povezavo za sledenje**. Paketi običajno prispejo v dveh do štirih delovnih dneh.\n\nČe se sledenje pet delovnih dni ne premakne, odgovorite na sporočilo o odpremi in zadevo bomo preverili pri dostavljavcu."},
	}},
	{Group: 2, Visibility: "public", Tags: []string{"invoice", "billing"}, Texts: map[string]KBText{
		"en": {"Where do I find my invoice?", "Invoices are in your account under Orders.", "Every order has its invoice as a PDF under **Account → Orders**. Choose the order and then *Download invoice*.\n\nCompanies can ask us to add their VAT number; reply to the order mail with it and we send a corrected invoice."},
		"nb": {"Hvor finner jeg fakturaen min?", "Fakturaene ligger på kontoen din under Bestillinger.", "Hver bestilling har fakturaen som PDF under **Konto → Bestillinger**. Velg bestillingen og deretter *Last ned faktura*.\n\nBedrifter kan be oss legge til organisasjonsnummeret; svar på ordremailen med det, så sender vi en korrigert faktura."},
		"sv": {"Var hittar jag min faktura?", "Fakturorna finns på ditt konto under Beställningar.", "Varje beställning har sin faktura som PDF under **Konto → Beställningar**. Välj beställningen och sedan *Ladda ner faktura*.\n\nFöretag kan be oss lägga till sitt momsregistreringsnummer; svara på ordermejlet med det så skickar vi en rättad faktura."},
		"da": {"Hvor finder jeg min faktura?", "Fakturaerne ligger på din konto under Ordrer.", "Hver ordre har sin faktura som PDF under **Konto → Ordrer**. Vælg ordren og derefter *Download faktura*.\n\nVirksomheder kan bede os tilføje deres CVR-nummer; svar på ordremailen med det, så sender vi en rettet faktura."},
		"sl": {"Kje najdem svoj račun?", "Račune najdete v svojem računu pod Naročila.", "Vsako naročilo ima račun v PDF pod **Račun → Naročila**. Izberite naročilo in nato *Prenesi račun*.\n\nPodjetja nas lahko prosijo, da dodamo njihovo davčno številko; odgovorite na sporočilo o naročilu in poslali vam bomo popravljen račun."},
	}},
	{Group: 3, Visibility: "public", Tags: []string{"account", "password"}, Texts: map[string]KBText{
		"en": {"I forgot my password", "Reset it from the sign-in page.", "Choose **Forgot password?** on the sign-in page and enter your email address. The link in the mail works for one hour.\n\nNo mail after ten minutes? Check the spam folder, then write to us from the address on your account."},
		"nb": {"Jeg har glemt passordet", "Tilbakestill det fra innloggingssiden.", "Velg **Glemt passord?** på innloggingssiden og skriv inn e-postadressen din. Lenken i e-posten virker i én time.\n\nIngen e-post etter ti minutter? Sjekk søppelpostmappen, og skriv deretter til oss fra adressen på kontoen din."},
		"sv": {"Jag har glömt mitt lösenord", "Återställ det från inloggningssidan.", "Välj **Glömt lösenord?** på inloggningssidan och ange din e-postadress. Länken i mejlet fungerar i en timme.\n\nInget mejl efter tio minuter? Kontrollera skräppostmappen och skriv sedan till oss från adressen på ditt konto."},
		"da": {"Jeg har glemt min adgangskode", "Nulstil den fra log ind-siden.", "Vælg **Glemt adgangskode?** på log ind-siden, og indtast din e-mailadresse. Linket i mailen virker i en time.\n\nIngen mail efter ti minutter? Tjek spam-mappen, og skriv derefter til os fra adressen på din konto."},
		"sl": {"Pozabil sem geslo", "Ponastavite ga na strani za prijavo.", "Na strani za prijavo izberite **Pozabljeno geslo?** in vnesite svoj e-poštni naslov. Povezava v sporočilu velja eno uro.\n\nSporočila ni niti po desetih minutah? Preverite mapo z neželeno pošto, nato nam pišite z naslova, ki je vpisan v vašem računu."},
	}},
	{Group: 0, Visibility: "internal", Tags: []string{"return", "goodwill"}, Texts: map[string]KBText{
		"en": {"Goodwill returns after 30 days", "When agents may accept a late return.", "Team leads may accept a return up to **60 days** after delivery when the customer has ordered before and the item is unused.\n\nTag the ticket `goodwill` so the monthly report counts it, and never promise a refund before the warehouse has checked the item."},
		"nb": {"Returer av godvilje etter 30 dager", "Når vi kan godta en sen retur.", "Teamledere kan godta en retur inntil **60 dager** etter levering når kunden har handlet før og varen er ubrukt.\n\nMerk saken med `goodwill` slik at månedsrapporten teller den, og lov aldri tilbakebetaling før lageret har sjekket varen."},
	}},
}
