package demo

// Written for Ombud's demo: support conversations in five languages. Each
// scenario has a subject, the customer's opening message, agent replies,
// customer follow-ups and internal notes. {order}, {invoice}, {amount} and
// {product} are filled in per ticket.

type text map[string][]string // language → variants

type scenario struct {
	kind     string // ticket type
	tags     []string
	billing  bool // routed to the Billing team
	weight   int
	subject  text
	opening  text
	replies  text
	followup text
	notes    text
}

var languages = []string{"en", "nb", "sv", "da", "sl"}

var scenarios = []scenario{
	{kind: "question", tags: []string{"login", "account"}, weight: 12,
		subject: text{
			"en": {"Can't log in to my account", "Password reset email never arrives"},
			"nb": {"Får ikke logget inn", "E-post for tilbakestilling av passord kommer ikke"},
			"sv": {"Kan inte logga in på mitt konto", "Får inget mejl för att återställa lösenordet"},
			"da": {"Kan ikke logge ind på min konto", "Mail til nulstilling af adgangskode kommer ikke"},
			"sl": {"Ne morem se prijaviti v račun", "E-pošta za ponastavitev gesla ne pride"},
		},
		opening: text{
			"en": {"Hi, since this morning I can't log in. It says my password is wrong, but I haven't changed it. I also tried the reset link and nothing arrives."},
			"nb": {"Hei, siden i morges får jeg ikke logget inn. Det står at passordet er feil, men jeg har ikke endret det. Jeg har prøvd lenken for å tilbakestille, men ingenting kommer."},
			"sv": {"Hej, sedan i morse kan jag inte logga in. Det står att lösenordet är fel men jag har inte ändrat det. Jag har testat återställningslänken men inget mejl kommer."},
			"da": {"Hej, siden i morges har jeg ikke kunnet logge ind. Der står at adgangskoden er forkert, men jeg har ikke ændret den. Nulstillingslinket virker heller ikke."},
			"sl": {"Pozdravljeni, od jutra se ne morem prijaviti. Piše, da je geslo napačno, čeprav ga nisem spremenil. Poskusil sem tudi s povezavo za ponastavitev, a ne pride nič."},
		},
		replies: text{
			"en": {"Thanks for letting us know. I've sent a new reset link to your address; please check the spam folder too. The link is valid for one hour.", "I can see the reset emails were blocked by your mail server. I've unlocked the account and you can sign in with the temporary password we just sent by SMS."},
			"nb": {"Takk for at du sier fra. Jeg har sendt en ny lenke for tilbakestilling; sjekk gjerne søppelpost-mappen også. Lenken gjelder i én time.", "Jeg ser at e-postene ble stoppet av e-postserveren deres. Jeg har låst opp kontoen, og du kan logge inn med det midlertidige passordet vi sendte på SMS."},
			"sv": {"Tack för att du hör av dig. Jag har skickat en ny återställningslänk, titta gärna i skräpposten också. Länken gäller i en timme.", "Mejlen stoppades av er e-postserver. Jag har låst upp kontot och du kan logga in med det tillfälliga lösenordet vi skickade via sms."},
			"da": {"Tak fordi du skriver. Jeg har sendt et nyt nulstillingslink – tjek også din spam-mappe. Linket virker i en time.", "Vores mails blev blokeret af jeres mailserver. Jeg har låst kontoen op, og du kan logge ind med den midlertidige adgangskode, vi har sendt på sms."},
			"sl": {"Hvala za sporočilo. Poslal sem novo povezavo za ponastavitev; preverite tudi mapo z neželeno pošto. Povezava velja eno uro.", "Vaš poštni strežnik je zavrnil naša sporočila. Račun sem odklenil, prijavite se lahko z začasnim geslom, ki smo vam ga poslali po SMS."},
		},
		followup: text{
			"en": {"Still nothing in my inbox, I'm afraid.", "That worked, thank you!"},
			"nb": {"Fortsatt ingenting i innboksen dessverre.", "Nå fungerte det, tusen takk!"},
			"sv": {"Fortfarande inget i inkorgen tyvärr.", "Nu fungerar det, tack så mycket!"},
			"da": {"Der er desværre stadig ikke noget i indbakken.", "Nu virker det, mange tak!"},
			"sl": {"Žal še vedno nič v nabiralniku.", "Zdaj deluje, najlepša hvala!"},
		},
		notes: text{
			"en": {"Mail log shows 550 from their server – their IT blocks our sending domain.", "Account was locked after 10 failed attempts."},
			"nb": {"Mail-loggen viser 550 fra serveren deres – IT-avdelingen blokkerer domenet vårt.", "Kontoen ble låst etter 10 mislykkede forsøk."},
			"sv": {"Mejlloggen visar 550 från deras server – deras IT blockerar vår avsändardomän.", "Kontot låstes efter 10 misslyckade försök."},
			"da": {"Mailloggen viser 550 fra deres server – deres IT blokerer vores domæne.", "Kontoen blev låst efter 10 mislykkede forsøg."},
			"sl": {"Dnevnik pošte kaže 550 z njihovega strežnika – njihov IT blokira našo domeno.", "Račun se je zaklenil po 10 neuspelih poskusih."},
		}},
	{kind: "question", tags: []string{"invoice", "billing"}, billing: true, weight: 12,
		subject: text{
			"en": {"Question about invoice {invoice}", "Invoice {invoice} charged twice"},
			"nb": {"Spørsmål om faktura {invoice}", "Faktura {invoice} trukket to ganger"},
			"sv": {"Fråga om faktura {invoice}", "Faktura {invoice} dragen två gånger"},
			"da": {"Spørgsmål til faktura {invoice}", "Faktura {invoice} trukket to gange"},
			"sl": {"Vprašanje o računu {invoice}", "Račun {invoice} bremenjen dvakrat"},
		},
		opening: text{
			"en": {"Hello, invoice {invoice} shows {amount}, but our agreement says less. Could you check and send a corrected invoice?"},
			"nb": {"Hei, faktura {invoice} viser {amount}, men avtalen vår sier mindre. Kan dere sjekke og sende en korrigert faktura?"},
			"sv": {"Hej, faktura {invoice} visar {amount} men enligt vårt avtal ska det vara mindre. Kan ni kontrollera och skicka en rättad faktura?"},
			"da": {"Hej, faktura {invoice} viser {amount}, men vores aftale siger mindre. Kan I tjekke det og sende en rettet faktura?"},
			"sl": {"Pozdravljeni, račun {invoice} znaša {amount}, po pogodbi pa bi moral biti nižji. Lahko preverite in pošljete popravljen račun?"},
		},
		replies: text{
			"en": {"You're right – the annual discount was not applied. I've issued a credit note and a corrected invoice, both attached in your account.", "I've checked with accounting: the second charge was a duplicate and has been refunded. It can take 3–5 banking days to show."},
			"nb": {"Du har rett – årsrabatten ble ikke trukket fra. Jeg har sendt en kreditnota og en korrigert faktura; begge ligger i kontoen din.", "Jeg har sjekket med regnskap: det andre trekket var en feil og er refundert. Det kan ta 3–5 bankdager før det vises."},
			"sv": {"Du har rätt – årsrabatten hade inte dragits av. Jag har skickat en kreditnota och en rättad faktura, båda finns i ditt konto.", "Jag har kollat med ekonomi: den andra dragningen var en dubblett och är återbetald. Det kan ta 3–5 bankdagar."},
			"da": {"Du har ret – årsrabatten var ikke trukket fra. Jeg har udstedt en kreditnota og en rettet faktura; begge ligger på din konto.", "Jeg har tjekket med bogholderiet: den anden betaling var en fejl og er refunderet. Det kan tage 3–5 bankdage."},
			"sl": {"Imate prav – letni popust ni bil upoštevan. Izdal sem dobropis in popravljen račun, oba sta v vašem računu.", "Preveril sem z računovodstvom: druga bremenitev je bila podvojena in je povrnjena. Vidna bo v 3–5 delovnih dneh."},
		},
		followup: text{
			"en": {"Thanks. Will the credit note also cover last month?", "Received, all good now."},
			"nb": {"Takk. Gjelder kreditnotaen også forrige måned?", "Mottatt, alt i orden nå."},
			"sv": {"Tack. Gäller kreditnotan även förra månaden?", "Mottaget, allt är bra nu."},
			"da": {"Tak. Dækker kreditnotaen også sidste måned?", "Modtaget, alt er i orden nu."},
			"sl": {"Hvala. Ali dobropis velja tudi za prejšnji mesec?", "Prejeto, zdaj je vse v redu."},
		},
		notes: text{
			"en": {"Discount code missing on the contract in the billing system – fixed for renewals.", "Refund approved by finance, ref {order}."},
			"nb": {"Rabattkoden manglet på avtalen i faktureringssystemet – rettet for fornyelser.", "Refusjon godkjent av økonomi, ref {order}."},
			"sv": {"Rabattkoden saknades på avtalet i faktureringssystemet – rättat för förnyelser.", "Återbetalning godkänd av ekonomi, ref {order}."},
			"da": {"Rabatkoden manglede på aftalen i faktureringssystemet – rettet for fornyelser.", "Refusion godkendt af økonomi, ref {order}."},
			"sl": {"V sistemu za obračun je manjkala koda popusta – popravljeno za podaljšanja.", "Vračilo odobrila finance, ref {order}."},
		}},
	{kind: "return", tags: []string{"return", "damaged"}, weight: 10,
		subject: text{
			"en": {"{product} arrived damaged", "Return of order {order}"},
			"nb": {"{product} kom i skadet stand", "Retur av bestilling {order}"},
			"sv": {"{product} kom trasig", "Retur av order {order}"},
			"da": {"{product} ankom beskadiget", "Returnering af ordre {order}"},
			"sl": {"{product} je prispel poškodovan", "Vračilo naročila {order}"},
		},
		opening: text{
			"en": {"Order {order} arrived today and the {product} is cracked. The box looked fine. I'd like a replacement, or my money back."},
			"nb": {"Bestilling {order} kom i dag, og {product} har en sprekk. Esken så fin ut. Jeg vil gjerne ha en ny, eller pengene tilbake."},
			"sv": {"Order {order} kom idag och {product} har en spricka. Kartongen såg hel ut. Jag vill ha en ny eller pengarna tillbaka."},
			"da": {"Ordre {order} kom i dag, og {product} er revnet. Kassen så fin ud. Jeg vil gerne have en ny eller pengene retur."},
			"sl": {"Naročilo {order} je prispelo danes in {product} je počen. Škatla je bila videti cela. Želim zamenjavo ali vračilo denarja."},
		},
		replies: text{
			"en": {"I'm sorry about that. Could you send a photo of the damage? Then I'll arrange a free return label right away.", "Thanks for the photos. A replacement {product} is on its way and you'll get tracking by email. No need to send the broken one back."},
			"nb": {"Beklager det. Kan du sende et bilde av skaden? Da ordner jeg en gratis returlapp med en gang.", "Takk for bildene. En ny {product} er på vei, og du får sporingsnummer på e-post. Du trenger ikke sende den ødelagte tilbake."},
			"sv": {"Det beklagar jag. Kan du skicka en bild på skadan? Då ordnar jag en kostnadsfri returetikett direkt.", "Tack för bilderna. En ny {product} är på väg och du får spårningslänk via mejl. Du behöver inte skicka tillbaka den trasiga."},
			"da": {"Det er jeg ked af. Kan du sende et billede af skaden? Så laver jeg en gratis returlabel med det samme.", "Tak for billederne. En ny {product} er på vej, og du får tracking på mail. Du behøver ikke sende den ødelagte retur."},
			"sl": {"Opravičujem se. Nam lahko pošljete fotografijo poškodbe? Takoj vam uredim brezplačno nalepko za vračilo.", "Hvala za fotografije. Nov {product} je na poti, sledilno številko prejmete po e-pošti. Poškodovanega vam ni treba vračati."},
		},
		followup: text{
			"en": {"Photos attached. The crack is on the left side.", "The new one arrived in perfect condition, thanks."},
			"nb": {"Bilder vedlagt. Sprekken er på venstre side.", "Den nye kom i perfekt stand, takk."},
			"sv": {"Bilder bifogade. Sprickan är på vänster sida.", "Den nya kom i perfekt skick, tack."},
			"da": {"Billeder vedhæftet. Revnen er i venstre side.", "Den nye kom i perfekt stand, tak."},
			"sl": {"Fotografije so priložene. Razpoka je na levi strani.", "Novi je prispel v brezhibnem stanju, hvala."},
		},
		notes: text{
			"en": {"Third damaged {product} from this warehouse this week – flagged to logistics.", "Replacement shipped without return, value under the write-off limit."},
			"nb": {"Tredje skadede {product} fra dette lageret denne uka – meldt til logistikk.", "Erstatning sendt uten retur, verdien er under avskrivningsgrensen."},
			"sv": {"Tredje trasiga {product} från lagret den här veckan – flaggat till logistik.", "Ersättning skickad utan retur, värdet under avskrivningsgränsen."},
			"da": {"Tredje beskadigede {product} fra dette lager i denne uge – meldt til logistik.", "Erstatning sendt uden retur, værdien er under afskrivningsgrænsen."},
			"sl": {"Že tretji poškodovan {product} iz tega skladišča ta teden – sporočeno logistiki.", "Zamenjava poslana brez vračila, vrednost pod mejo za odpis."},
		}},
	{kind: "incident", tags: []string{"shipping", "delay"}, weight: 10,
		subject: text{
			"en": {"Where is my order {order}?", "Delivery is late"},
			"nb": {"Hvor er bestillingen min {order}?", "Leveringen er forsinket"},
			"sv": {"Var är min order {order}?", "Leveransen är försenad"},
			"da": {"Hvor er min ordre {order}?", "Leveringen er forsinket"},
			"sl": {"Kje je moje naročilo {order}?", "Dostava zamuja"},
		},
		opening: text{
			"en": {"I ordered a {product} ten days ago (order {order}) and the tracking hasn't moved since Monday. Can you find out what's happening?"},
			"nb": {"Jeg bestilte en {product} for ti dager siden (bestilling {order}), og sporingen har stått stille siden mandag. Kan dere finne ut hva som skjer?"},
			"sv": {"Jag beställde en {product} för tio dagar sedan (order {order}) och spårningen har stått still sedan måndag. Kan ni ta reda på vad som händer?"},
			"da": {"Jeg bestilte en {product} for ti dage siden (ordre {order}), og trackingen har ikke rykket sig siden mandag. Kan I finde ud af, hvad der sker?"},
			"sl": {"Pred desetimi dnevi sem naročil {product} (naročilo {order}) in sledenje se od ponedeljka ni premaknilo. Lahko preverite, kaj se dogaja?"},
		},
		replies: text{
			"en": {"I've contacted the carrier: the parcel was held at their sorting centre. It's back on the road and should reach you within two days.", "The carrier confirms the parcel is lost. I've sent a new {product} by express at our cost."},
			"nb": {"Jeg har kontaktet transportøren: pakken ble stående på terminalen deres. Den er på vei igjen og skal være hos deg innen to dager.", "Transportøren bekrefter at pakken er tapt. Jeg har sendt en ny {product} med ekspress på vår regning."},
			"sv": {"Jag har kontaktat fraktbolaget: paketet blev kvar på terminalen. Det är på väg igen och bör vara hos dig inom två dagar.", "Fraktbolaget bekräftar att paketet har försvunnit. Jag har skickat en ny {product} express på vår bekostnad."},
			"da": {"Jeg har kontaktet fragtfirmaet: pakken stod på deres terminal. Den er på vej igen og bør være hos dig inden for to dage.", "Fragtfirmaet bekræfter, at pakken er bortkommet. Jeg har sendt en ny {product} som ekspres på vores regning."},
			"sl": {"Kontaktiral sem prevoznika: paket je obtičal v sortirnem centru. Spet je na poti in bi moral prispeti v dveh dneh.", "Prevoznik potrjuje, da je paket izgubljen. Poslal sem nov {product} z ekspresno dostavo na naše stroške."},
		},
		followup: text{
			"en": {"Still not here, and the tracking says the same.", "It arrived this morning, thanks for chasing it."},
			"nb": {"Fortsatt ikke kommet, og sporingen viser det samme.", "Den kom i dag tidlig, takk for at dere fulgte opp."},
			"sv": {"Fortfarande inte här och spårningen säger samma sak.", "Det kom i morse, tack för hjälpen."},
			"da": {"Stadig ikke kommet, og trackingen siger det samme.", "Den kom i morges, tak fordi I fulgte op."},
			"sl": {"Še vedno ni prispel, sledenje pa kaže isto.", "Prispel je danes zjutraj, hvala za posredovanje."},
		},
		notes: text{
			"en": {"Carrier case opened, ref {order}-C. Expect 24h answer.", "Carrier backlog in the region after the storm."},
			"nb": {"Sak opprettet hos transportør, ref {order}-C. Svar ventes innen 24 t.", "Etterslep hos transportøren i regionen etter stormen."},
			"sv": {"Ärende öppnat hos fraktbolaget, ref {order}-C. Svar inom 24 h.", "Eftersläp hos fraktbolaget i regionen efter stormen."},
			"da": {"Sag oprettet hos fragtfirmaet, ref {order}-C. Svar inden for 24 t.", "Efterslæb hos fragtfirmaet i regionen efter stormen."},
			"sl": {"Odprt primer pri prevozniku, ref {order}-C. Odgovor v 24 urah.", "Zaostanek pri prevozniku v regiji po neurju."},
		}},
	{kind: "complaint", tags: []string{"complaint"}, weight: 6,
		subject: text{
			"en": {"Very disappointed with your service", "Complaint about the last delivery"},
			"nb": {"Svært skuffet over servicen deres", "Klage på siste levering"},
			"sv": {"Mycket besviken på er service", "Klagomål på senaste leveransen"},
			"da": {"Meget skuffet over jeres service", "Klage over sidste levering"},
			"sl": {"Zelo sem razočaran nad vašo storitvijo", "Pritožba glede zadnje dostave"},
		},
		opening: text{
			"en": {"This is the third time I write about the same problem and nobody has fixed it. I expect an answer from someone who can actually decide something."},
			"nb": {"Dette er tredje gang jeg skriver om det samme problemet, og ingen har løst det. Jeg forventer svar fra noen som faktisk kan bestemme noe."},
			"sv": {"Det här är tredje gången jag skriver om samma problem och ingen har löst det. Jag förväntar mig svar från någon som faktiskt kan fatta beslut."},
			"da": {"Det er tredje gang, jeg skriver om det samme problem, og ingen har løst det. Jeg forventer svar fra en, der faktisk kan træffe en beslutning."},
			"sl": {"To je že tretjič, da pišem o isti težavi, in nihče je ni rešil. Pričakujem odgovor nekoga, ki lahko dejansko kaj odloči."},
		},
		replies: text{
			"en": {"I'm the team lead and I've read your earlier messages. You should not have had to write three times – I'm sorry. I've refunded {amount} and will personally follow up until this is fixed."},
			"nb": {"Jeg er teamleder og har lest de tidligere meldingene dine. Du skulle ikke trengt å skrive tre ganger – beklager. Jeg har refundert {amount} og følger opp personlig til dette er løst."},
			"sv": {"Jag är teamledare och har läst dina tidigare meddelanden. Du skulle inte ha behövt skriva tre gånger – förlåt. Jag har återbetalat {amount} och följer upp personligen tills det är löst."},
			"da": {"Jeg er teamleder og har læst dine tidligere beskeder. Du burde ikke have skullet skrive tre gange – undskyld. Jeg har refunderet {amount} og følger selv op, til det er løst."},
			"sl": {"Sem vodja ekipe in prebral sem vaša prejšnja sporočila. Ne bi smeli pisati trikrat – opravičujem se. Vrnil sem {amount} in osebno bom spremljal, dokler težava ne bo rešena."},
		},
		followup: text{
			"en": {"Thank you, that's the first real answer I've had."},
			"nb": {"Takk, det er det første ordentlige svaret jeg har fått."},
			"sv": {"Tack, det är det första riktiga svaret jag har fått."},
			"da": {"Tak, det er det første ordentlige svar, jeg har fået."},
			"sl": {"Hvala, to je prvi pravi odgovor, ki sem ga dobil."},
		},
		notes: text{
			"en": {"Escalated: two earlier tickets closed without a fix. Goodwill refund approved.", "Add to the QA review – handover between shifts failed."},
			"nb": {"Eskalert: to tidligere saker lukket uten løsning. Goodwill-refusjon godkjent.", "Ta med i QA-gjennomgangen – overleveringen mellom skiftene sviktet."},
			"sv": {"Eskalerat: två tidigare ärenden stängda utan lösning. Goodwill-återbetalning godkänd.", "Ta med i QA-granskningen – överlämningen mellan skiften brast."},
			"da": {"Eskaleret: to tidligere sager lukket uden løsning. Goodwill-refusion godkendt.", "Med i QA-gennemgangen – overdragelsen mellem vagterne svigtede."},
			"sl": {"Eskalirano: dva prejšnja zahtevka zaprta brez rešitve. Odobreno vračilo iz dobre volje.", "Dodaj v QA pregled – predaja med izmenami ni delovala."},
		}},
	{kind: "problem", tags: []string{"bug", "app"}, weight: 8,
		subject: text{
			"en": {"The app crashes when I open reports", "Export to CSV gives an empty file"},
			"nb": {"Appen krasjer når jeg åpner rapporter", "Eksport til CSV gir en tom fil"},
			"sv": {"Appen kraschar när jag öppnar rapporter", "Export till CSV ger en tom fil"},
			"da": {"Appen crasher, når jeg åbner rapporter", "Eksport til CSV giver en tom fil"},
			"sl": {"Aplikacija se zruši, ko odprem poročila", "Izvoz v CSV vrne prazno datoteko"},
		},
		opening: text{
			"en": {"Since the last update the app closes as soon as I open the reports tab. I'm on the latest version and have restarted the phone."},
			"nb": {"Etter siste oppdatering lukker appen seg så fort jeg åpner rapportfanen. Jeg har nyeste versjon og har startet telefonen på nytt."},
			"sv": {"Sedan senaste uppdateringen stängs appen så fort jag öppnar rapportfliken. Jag har senaste versionen och har startat om telefonen."},
			"da": {"Siden sidste opdatering lukker appen, så snart jeg åbner rapportfanen. Jeg har nyeste version og har genstartet telefonen."},
			"sl": {"Od zadnje posodobitve se aplikacija zapre takoj, ko odprem zavihek s poročili. Imam najnovejšo različico in sem telefon ponovno zagnal."},
		},
		replies: text{
			"en": {"Thanks for the details. Our developers have reproduced it and a fix is in the next release. Meanwhile the web version shows the same reports.", "The fix is out in version 4.2 – please update and let me know if it works."},
			"nb": {"Takk for detaljene. Utviklerne har gjenskapt feilen, og en retting kommer i neste versjon. I mellomtiden viser nettversjonen de samme rapportene.", "Rettingen er ute i versjon 4.2 – oppdater gjerne og si fra om det fungerer."},
			"sv": {"Tack för detaljerna. Utvecklarna har återskapat felet och en rättning kommer i nästa version. Under tiden visar webbversionen samma rapporter.", "Rättningen finns i version 4.2 – uppdatera gärna och hör av dig om det fungerar."},
			"da": {"Tak for detaljerne. Udviklerne har genskabt fejlen, og en rettelse kommer i næste version. Indtil da viser webversionen de samme rapporter.", "Rettelsen er ude i version 4.2 – opdater og sig til, om det virker."},
			"sl": {"Hvala za podrobnosti. Razvijalci so napako ponovili in popravek bo v naslednji različici. Do takrat so ista poročila na voljo v spletni različici.", "Popravek je v različici 4.2 – posodobite in mi sporočite, ali deluje."},
		},
		followup: text{
			"en": {"Updated and it works now. Thanks!"},
			"nb": {"Oppdatert, og nå fungerer det. Takk!"},
			"sv": {"Uppdaterat och nu fungerar det. Tack!"},
			"da": {"Opdateret, og nu virker det. Tak!"},
			"sl": {"Posodobil sem in zdaj deluje. Hvala!"},
		},
		notes: text{
			"en": {"Linked to problem ticket for the report crash; 14 customers affected.", "Crash log from the customer shows null date range."},
			"nb": {"Koblet til problemsaken for rapportkrasjet; 14 kunder berørt.", "Krasjloggen viser tomt datointervall."},
			"sv": {"Kopplat till problemärendet för rapportkraschen; 14 kunder berörda.", "Kraschloggen visar tomt datumintervall."},
			"da": {"Knyttet til problemsagen om rapportcrash; 14 kunder berørt.", "Crashloggen viser tomt datointerval."},
			"sl": {"Povezano z zahtevkom za težavo s poročili; prizadetih 14 strank.", "Dnevnik zrušitve kaže prazno časovno obdobje."},
		}},
	{kind: "task", tags: []string{"cancellation", "subscription"}, billing: true, weight: 6,
		subject: text{
			"en": {"Cancel my subscription", "Downgrade to the basic plan"},
			"nb": {"Si opp abonnementet mitt", "Bytte til basisabonnement"},
			"sv": {"Säg upp mitt abonnemang", "Byta till basplanen"},
			"da": {"Opsig mit abonnement", "Skift til basisabonnement"},
			"sl": {"Prekinite mojo naročnino", "Prehod na osnovni paket"},
		},
		opening: text{
			"en": {"Please cancel my subscription from the end of this month. I can't find the option in the settings."},
			"nb": {"Vennligst si opp abonnementet mitt fra slutten av måneden. Jeg finner ikke valget i innstillingene."},
			"sv": {"Säg upp mitt abonnemang från slutet av månaden. Jag hittar inte alternativet i inställningarna."},
			"da": {"Opsig venligst mit abonnement fra udgangen af måneden. Jeg kan ikke finde muligheden i indstillingerne."},
			"sl": {"Prosim, prekinite mojo naročnino s koncem meseca. V nastavitvah ne najdem te možnosti."},
		},
		replies: text{
			"en": {"Done – your subscription ends on the last day of the month and you won't be charged again. Could I ask what made you leave?", "I've moved you to the basic plan from the next billing period; the price difference is credited."},
			"nb": {"Ordnet – abonnementet avsluttes siste dag i måneden, og du blir ikke trukket igjen. Kan jeg spørre hvorfor du slutter?", "Jeg har flyttet deg til basisabonnementet fra neste periode; mellomlegget er kreditert."},
			"sv": {"Klart – abonnemanget avslutas sista dagen i månaden och du debiteras inte igen. Får jag fråga varför du slutar?", "Jag har flyttat dig till basplanen från nästa period; mellanskillnaden är krediterad."},
			"da": {"Klaret – abonnementet slutter den sidste dag i måneden, og du bliver ikke trukket igen. Må jeg spørge, hvorfor du stopper?", "Jeg har flyttet dig til basisabonnementet fra næste periode; forskellen er krediteret."},
			"sl": {"Urejeno – naročnina se konča zadnji dan v mesecu in ne boste več bremenjeni. Lahko vprašam, zakaj odhajate?", "Prestavil sem vas na osnovni paket od naslednjega obdobja; razlika je dobropisana."},
		},
		followup: text{
			"en": {"Mostly price. Thanks for the quick help."},
			"nb": {"Mest pris. Takk for rask hjelp."},
			"sv": {"Mest priset. Tack för snabb hjälp."},
			"da": {"Mest prisen. Tak for hurtig hjælp."},
			"sl": {"Predvsem cena. Hvala za hitro pomoč."},
		},
		notes: text{
			"en": {"Churn reason: price. Offered 20% retention discount, declined."},
			"nb": {"Årsak til oppsigelse: pris. Tilbød 20 % rabatt, takket nei."},
			"sv": {"Orsak till uppsägning: pris. Erbjöd 20 % rabatt, tackade nej."},
			"da": {"Opsigelsesårsag: pris. Tilbød 20 % rabat, takkede nej."},
			"sl": {"Razlog odhoda: cena. Ponudil 20 % popust, zavrnil."},
		}},
	{kind: "return", tags: []string{"exchange", "size"}, weight: 6,
		subject: text{
			"en": {"Exchange for a different size", "Wrong colour delivered"},
			"nb": {"Bytte til en annen størrelse", "Feil farge levert"},
			"sv": {"Byta till en annan storlek", "Fel färg levererad"},
			"da": {"Bytte til en anden størrelse", "Forkert farve leveret"},
			"sl": {"Zamenjava za drugo velikost", "Dostavljena napačna barva"},
		},
		opening: text{
			"en": {"The {product} from order {order} is too small. Can I exchange it for one size up?"},
			"nb": {"{product} fra bestilling {order} er for liten. Kan jeg bytte til en størrelse større?"},
			"sv": {"{product} från order {order} är för liten. Kan jag byta till en storlek större?"},
			"da": {"{product} fra ordre {order} er for lille. Kan jeg bytte til en størrelse større?"},
			"sl": {"{product} iz naročila {order} je premajhen. Ga lahko zamenjam za številko večjega?"},
		},
		replies: text{
			"en": {"Of course. I've reserved the larger size and emailed you a return label. We'll ship the new one as soon as the carrier scans your parcel."},
			"nb": {"Selvsagt. Jeg har reservert større størrelse og sendt deg en returlapp på e-post. Vi sender den nye så snart transportøren har skannet pakken din."},
			"sv": {"Självklart. Jag har reserverat den större storleken och mejlat en returetikett. Vi skickar den nya så fort fraktbolaget skannat ditt paket."},
			"da": {"Selvfølgelig. Jeg har reserveret den større størrelse og mailet dig en returlabel. Vi sender den nye, så snart fragtfirmaet har scannet din pakke."},
			"sl": {"Seveda. Rezerviral sem večjo velikost in vam poslal nalepko za vračilo. Novo pošljemo takoj, ko prevoznik skenira vaš paket."},
		},
		followup: text{
			"en": {"Parcel dropped off today.", "Got the new one, it fits. Thanks!"},
			"nb": {"Pakken er levert i dag.", "Fikk den nye, og den passer. Takk!"},
			"sv": {"Paketet är inlämnat idag.", "Fick den nya, den passar. Tack!"},
			"da": {"Pakken er afleveret i dag.", "Fik den nye, den passer. Tak!"},
			"sl": {"Paket sem oddal danes.", "Dobil sem novega, se prilega. Hvala!"},
		},
		notes: text{
			"en": {"Exchange order created, stock reserved for 7 days."},
			"nb": {"Byttebestilling opprettet, reservert i 7 dager."},
			"sv": {"Bytesorder skapad, reserverad i 7 dagar."},
			"da": {"Ombytningsordre oprettet, reserveret i 7 dage."},
			"sl": {"Ustvarjeno naročilo za zamenjavo, rezervirano 7 dni."},
		}},
	{kind: "question", tags: []string{"gdpr", "privacy"}, weight: 3,
		subject: text{
			"en": {"Request for a copy of my data", "Please delete my personal data"},
			"nb": {"Innsyn i mine personopplysninger", "Slett personopplysningene mine"},
			"sv": {"Begäran om registerutdrag", "Radera mina personuppgifter"},
			"da": {"Anmodning om indsigt i mine data", "Slet mine personoplysninger"},
			"sl": {"Zahteva za kopijo mojih podatkov", "Prosim, izbrišite moje osebne podatke"},
		},
		opening: text{
			"en": {"Under the GDPR I'd like a copy of all personal data you hold about me."},
			"nb": {"I henhold til personvernforordningen ber jeg om innsyn i alle personopplysninger dere har om meg."},
			"sv": {"Enligt GDPR vill jag ha ett utdrag över alla personuppgifter ni har om mig."},
			"da": {"I henhold til GDPR vil jeg gerne have en kopi af alle personoplysninger, I har om mig."},
			"sl": {"V skladu s Splošno uredbo o varstvu podatkov želim kopijo vseh osebnih podatkov, ki jih hranite o meni."},
		},
		replies: text{
			"en": {"We have verified your identity and attached the export of your data. Let us know if anything is unclear."},
			"nb": {"Vi har bekreftet identiteten din og lagt ved en eksport av dataene dine. Si fra om noe er uklart."},
			"sv": {"Vi har verifierat din identitet och bifogat en export av dina uppgifter. Hör av dig om något är oklart."},
			"da": {"Vi har bekræftet din identitet og vedhæftet en eksport af dine data. Sig til, hvis noget er uklart."},
			"sl": {"Preverili smo vašo identiteto in priložili izvoz vaših podatkov. Sporočite, če je kaj nejasno."},
		},
		followup: text{
			"en": {"Received, thank you."},
			"nb": {"Mottatt, takk."},
			"sv": {"Mottaget, tack."},
			"da": {"Modtaget, tak."},
			"sl": {"Prejeto, hvala."},
		},
		notes: text{
			"en": {"Identity verified by phone. Deadline 30 days from request."},
			"nb": {"Identitet bekreftet på telefon. Frist 30 dager fra forespørsel."},
			"sv": {"Identitet verifierad per telefon. Frist 30 dagar från begäran."},
			"da": {"Identitet bekræftet pr. telefon. Frist 30 dage fra anmodning."},
			"sl": {"Identiteta potrjena po telefonu. Rok 30 dni od zahteve."},
		}},
	{kind: "question", tags: []string{"product", "presales"}, weight: 8,
		subject: text{
			"en": {"Does the {product} work with my setup?", "Question before buying"},
			"nb": {"Fungerer {product} med oppsettet mitt?", "Spørsmål før kjøp"},
			"sv": {"Fungerar {product} med min utrustning?", "Fråga innan köp"},
			"da": {"Virker {product} med mit udstyr?", "Spørgsmål før køb"},
			"sl": {"Ali {product} deluje z mojo opremo?", "Vprašanje pred nakupom"},
		},
		opening: text{
			"en": {"I'm thinking of buying the {product}. Does it work with older models, and is there a warranty?"},
			"nb": {"Jeg vurderer å kjøpe {product}. Fungerer den med eldre modeller, og er det garanti?"},
			"sv": {"Jag funderar på att köpa {product}. Fungerar den med äldre modeller, och finns det garanti?"},
			"da": {"Jeg overvejer at købe {product}. Virker den med ældre modeller, og er der garanti?"},
			"sl": {"Razmišljam o nakupu {product}. Ali deluje s starejšimi modeli in ali ima garancijo?"},
		},
		replies: text{
			"en": {"Yes, it works with every model from 2019 on, and the warranty is two years. You can also return it within 30 days if it isn't right for you."},
			"nb": {"Ja, den fungerer med alle modeller fra 2019, og garantien er to år. Du kan også returnere den innen 30 dager om den ikke passer."},
			"sv": {"Ja, den fungerar med alla modeller från 2019 och garantin är två år. Du kan också returnera den inom 30 dagar."},
			"da": {"Ja, den virker med alle modeller fra 2019, og garantien er to år. Du kan også returnere den inden for 30 dage."},
			"sl": {"Da, deluje z vsemi modeli od leta 2019, garancija pa je dve leti. Vrnete ga lahko tudi v 30 dneh."},
		},
		followup: text{
			"en": {"Great, I'll order it today."},
			"nb": {"Flott, da bestiller jeg i dag."},
			"sv": {"Toppen, då beställer jag idag."},
			"da": {"Fint, så bestiller jeg i dag."},
			"sl": {"Odlično, naročil bom danes."},
		},
		notes: text{
			"en": {"Sales lead – passed to the sales team."},
			"nb": {"Salgsmulighet – sendt videre til salg."},
			"sv": {"Säljlead – skickat till säljteamet."},
			"da": {"Salgsmulighed – sendt videre til salg."},
			"sl": {"Prodajna priložnost – posredovano prodaji."},
		}},
}

var products = []string{"Fjell 2 headset", "Vinter jacket", "Nordlys lamp", "Kompakt charger", "Bris coffee maker", "Sjø backpack", "Lun blanket", "Tind hiking boots"}

var currencies = map[string]string{"en": "GBP", "nb": "NOK", "sv": "SEK", "da": "DKK", "sl": "EUR"}

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
