package demo

// Norwegian (bokmål) demo conversations (see lines in content.go). A
// product is named as "varen ({product})" or without an article, since
// its gender differs from product to product.

var frameNB = frame{
	Greet:         []string{"Hei {first},", "Hei, {first}!"},
	Sign:          []string{"Vennlig hilsen\n{agent}", "Med vennlig hilsen\n{agent}\nKundeservice"},
	CustomerGreet: []string{"Hei,", "Hei!"},
	CustomerSign:  []string{"Mvh\n{name}", "Vennlig hilsen\n{name}"},
	Phone:         "Telefonsamtale med {name}. Med innringerens egne ord:",
}

var linesNB = map[string]lines{
	"order_late": {
		Subject: []string{"Hvor er bestilling {order}?", "Bestilling {order} er fortsatt ikke levert"},
		Opening: []string{
			"Jeg bestilte {product} for ti dager siden (bestilling {order}), og sporingen har stått stille siden mandag. Kan dere finne ut hva som skjer?",
			"Bestilling {order} skulle kommet sist fredag, men ingenting har dukket opp. Sporingsnummeret {tracking} viser bare «under transport», og jeg trenger varen ({product}) før helgen.",
		},
		Ask: []string{
			"Beklager ventetiden. Bestilling {order} gikk fra lageret vårt i tide, så jeg har sendt en henvendelse til transportøren om pakke {tracking}. Kan du i mellomtiden sjekke postkassen og høre med naboene om det er lagt igjen en hentelapp?",
			"Takk for at du tar kontakt. Transportøren viser pakke {tracking} på sorteringsterminalen uten noen leveringsskanning. Kan du bekrefte at leveringsadressen på bestilling {order} fortsatt stemmer, også leilighetsnummeret?",
		},
		Answer: []string{"Adressen på bestillingen stemmer, og det er ingen hentelapp i postkassen eller hos naboene."},
		Update: []string{"Transportøren har svart: Pakke {tracking} ble sendt til feil terminal og blir nå omdirigert. Jeg følger med og skriver igjen hvis den ikke har flyttet seg innen i morgen."},
		Nudge:  []string{"Nå har det gått to dager, og sporingen på {tracking} viser fortsatt det samme."},
		Resolve: []string{
			"Transportøren finner ikke pakke {tracking}, så jeg har sendt deg {product} på nytt med ekspress på vår regning; det nye sporingsnummeret kommer på e-post i dag. Hvis den første pakken likevel dukker opp, kan du bare nekte å ta imot den, så kommer den tilbake til oss.",
			"Gode nyheter: Transportøren fant pakke {tracking} på terminalen sin, og den er nå ute for levering. Som en unnskyldning for forsinkelsen har jeg refundert fraktkostnaden for bestilling {order}.",
		},
		Reopen:   []string{"Sporingen sier nå «levert», men ingenting har kommet hit, og ingen har kvittert for pakken."},
		Reopened: []string{"Beklager, det skal ikke skje. Jeg har sendt en reklamasjon til transportøren for manglende levering og refundert hele bestilling {order}; beløpet vises på kontoutskriften innen 3–5 virkedager."},
		Notes: []string{
			"Henvendelse sendt til transportøren om {tracking}; de svarer innen 24 timer.",
			"Flere pakker via samme terminal er forsinket denne uka – sagt fra til logistikk.",
		},
	},
	"damaged_item": {
		Subject: []string{"Skadet vare i bestilling {order}", "Bestilling {order} kom i stykker"},
		Opening: []string{
			"Bestilling {order} kom i dag, og det er en sprekk tvers gjennom varen ({product}). Esken så fin ut utenpå. Jeg vil gjerne ha en erstatning.",
			"Jeg har nettopp pakket opp bestilling {order}: Varen ({product}) er skadet og kan ikke brukes. Hva skjer nå?",
		},
		Ask: []string{
			"Så leit at varen kom sånn. Kan du sende oss et par bilder av skaden og av esken? Da ordner jeg en erstatning med en gang.",
			"Slik skal det ikke komme frem – beklager. For at jeg skal kunne melde det til transportøren: Kan du svare med et bilde av skaden og av fraktetiketten?",
		},
		Answer: []string{"Bilder vedlagt. Skaden er på venstre side, og esken har en bulk i samme hjørne."},
		Update: []string{"Takk for bildene. Jeg har meldt skaden til transportøren og reservert en ny vare ({product}) til deg; den sendes så snart lageret har bekreftet beholdningen."},
		Nudge:  []string{"Er erstatningen sendt ennå? Jeg har ikke fått noen e-post om forsendelsen."},
		Resolve: []string{
			"En ny vare ({product}) er på vei til deg, og du får sporing på e-post. Du trenger ikke sende den skadede tilbake – lever den gjerne til gjenvinning.",
			"Jeg har sendt deg en erstatning ({product}) med ferdig betalt returlapp i esken. Bruk den til å sende den skadede varen tilbake innen 30 dager; det koster deg ingenting.",
		},
		Reopen:   []string{"Erstatningen kom i dag, men den har en annen farge enn den jeg bestilte."},
		Reopened: []string{"Du har rett, lageret plukket feil farge. Jeg har sendt riktig farge med ekspress – den andre kan du beholde eller gi bort, akkurat som det passer deg."},
		Notes: []string{
			"Tredje skadede pakke fra dette lageret denne uka – meldt til logistikk.",
			"Skaden er meldt til transportøren for bestilling {order}; erstatningskrav sendt.",
		},
	},
	"return_refund": {
		Subject: []string{"Retur av bestilling {order}", "Retur: {product}"},
		Opening: []string{
			"Jeg vil gjerne returnere bestilling {order}. Varen ({product}) er ubrukt og ligger i originalesken – den var bare ikke som jeg hadde forventet. Hvordan sender jeg den tilbake?",
			"Jeg vil sende tilbake varen fra bestilling {order} ({product}, {amount}); den passer ikke for meg. Kan jeg få pengene tilbake?",
		},
		Ask: []string{
			"Selvsagt – du er godt innenfor returfristen på 30 dager. Jeg har sendt deg en ferdig betalt returlapp på e-post; fest den på esken og lever pakken på et hvilket som helst hentested. Si gjerne fra når den er sendt.",
			"Ikke noe problem. Jeg har registrert en retur av bestilling {order} og sendt deg en ferdig betalt returlapp på e-post. Lever pakken på et hentested og svar her når den er sendt, så holder jeg øye med den.",
		},
		Direct: []string{"Selvsagt – du er innenfor returfristen på 30 dager. Jeg har sendt deg en ferdig betalt returlapp for bestilling {order} på e-post; når varen ({product}) er tilbake på lageret vårt, refunderes {amount} automatisk til kortet ditt."},
		Answer: []string{"Takk for returlappen. Pakken ble levert på posten i morges."},
		Update: []string{"Takk. Sporingen viser at pakken er på vei til lageret vårt. Refusjonen sendes så snart den er registrert inn, vanligvis innen to virkedager etter at den har kommet frem."},
		Nudge:  []string{"Sporingen sier at pakken kom frem til lageret deres på tirsdag. Når ser jeg pengene?"},
		Resolve: []string{
			"Returen din er registrert inn, og jeg har refundert {amount} til kortet du betalte med. Avhengig av banken din vises beløpet innen 3–5 virkedager.",
			"Alt i orden: Varen ({product}) er tilbake hos oss, og refusjonen på {amount} for bestilling {order} er utbetalt. Du får også en bekreftelse på e-post.",
		},
		Reopen:   []string{"Refusjonen har kommet, takk – men frakten jeg betalte, var ikke med. Blir ikke den refundert også?"},
		Reopened: []string{"Du har rett: Når hele bestillingen returneres, refunderes også den opprinnelige frakten. Jeg har sendt den for seg, så den vises som en egen linje på kontoutskriften."},
		Notes: []string{
			"Retur registrert for {order}; refusjonen frigis automatisk ved innregistrering.",
			"Varen er sjekket på lageret: ubrukt, kan settes tilbake på lager.",
		},
	},
	"exchange_size": {
		Subject: []string{"Bytte til størrelse {newsize}", "Feil størrelse i bestilling {order}"},
		Opening: []string{
			"Varen fra bestilling {order} ({product}, størrelse {size}) er for liten. Kan jeg bytte til størrelse {newsize}?",
			"Jeg bestilte {product} i størrelse {size} (bestilling {order}), men den størrelsen ble for trang. Jeg vil gjerne ha størrelse {newsize} i stedet, hvis dere har det.",
		},
		Ask: []string{
			"Selvsagt – størrelse {newsize} er på lager, og jeg har reservert en til deg. Jeg har sendt deg en ferdig betalt returlapp på e-post; si fra når du har sendt størrelse {size} tilbake.",
			"Det hjelper jeg gjerne med. Jeg har satt opp et bytte til størrelse {newsize} og sendt deg en returlapp på e-post. Når størrelse {size} er på vei tilbake til oss, er det bare å svare her.",
		},
		Direct: []string{"Selvsagt – størrelse {newsize} er på lager. Jeg har sendt deg en ferdig betalt returlapp for størrelse {size} på e-post; så snart transportøren skanner pakken din, sender vi størrelse {newsize} til deg."},
		Answer: []string{"Takk! Pakken med størrelse {size} ble levert på posten i morges."},
		Update: []string{"Takk – jeg ser pakken din i transportørens system. Størrelse {newsize} sendes fra lageret vårt så snart returen er skannet på terminalen."},
		Nudge:  []string{"Sporingen sier at returen min har kommet frem. Er størrelse {newsize} sendt?"},
		Resolve: []string{
			"Størrelse {newsize} ({product}) er på vei, og du får sporing på e-post i dag. Returen fra bestilling {order} er registrert, så du trenger ikke gjøre noe mer.",
			"Byttet er fullført: Størrelse {newsize} ble sendt i dag, og størrelse {size} er registrert inn på lageret vårt.",
		},
		Reopen:   []string{"Størrelse {newsize} passer perfekt, takk. Men jeg ble trukket for et returgebyr – jeg trodde bytte var gratis?"},
		Reopened: []string{"Det er det, og det beklager jeg. Gebyret ble lagt på ved en feil, og jeg har refundert det til kortet ditt."},
		Notes: []string{
			"Byttebestilling opprettet for {order}; størrelse {newsize} reservert i 7 dager.",
			"Størrelse {size} av denne modellen kommer ofte i retur som for liten – sagt fra til innkjøp.",
		},
	},
	"refund_missing": {
		Subject: []string{"Refusjon for bestilling {order} ikke mottatt", "Venter fortsatt på refusjonen min"},
		Opening: []string{
			"Jeg returnerte bestilling {order} for over to uker siden, og i e-posten deres sto det at refusjonen på {amount} var på vei. Ingenting har kommet inn på kontoen min ennå.",
			"Dere bekreftet returen min av bestilling {order} forrige uke, men {amount} har fortsatt ikke kommet tilbake på kortet mitt. Hvor blir refusjonen av?",
		},
		Ask: []string{
			"Takk for tålmodigheten. Jeg ser at refusjonen på {amount} for bestilling {order} er godkjent. Kan du fortelle meg hvilket kort du betalte med, så jeg kan finne den hos betalingsleverandøren vår?",
			"Beklager ventetiden. For å spore betalingen trenger jeg én opplysning: Betalte du med kort, med faktura eller med en betalingsapp på mobilen?",
		},
		Answer: []string{"Med kort – Visa-kortet som slutter på {card}."},
		Update: []string{"Takk. Betalingsleverandøren sier at refusjonen ble holdt igjen fordi banken din har erstattet kortet som slutter på {card}. De sender den nå til det nye kortet, og det tar noen dager til."},
		Nudge:  []string{"Nå har det gått fire dager, og det er fortsatt ingenting på kontoutskriften."},
		Resolve: []string{
			"Refusjonen på {amount} for bestilling {order} ble sendt i dag; betalingsreferansen står i e-posten jeg nettopp sendte deg. De fleste banker viser den innen 3–5 virkedager.",
			"Økonomiavdelingen vår bekrefter at {amount} for bestilling {order} ble betalt tilbake til kortet ditt denne uka. Hvis beløpet ikke står på kontoutskriften innen fredag, send oss et skjermbilde, så tar vi det opp med banken.",
		},
		Reopen:   []string{"Banken min sier at refusjonen ble sendt tilbake til dere fordi referansen ikke stemte med kontoen min."},
		Reopened: []string{"Takk for at du sjekket med banken. Jeg har kansellert den første refusjonen og sendt {amount} på nytt som bankoverføring; denne gangen følger vi den fra vår side, og jeg bekrefter når den har gått gjennom."},
		Notes: []string{
			"Refusjon godkjent på returdatoen; står fast hos betalingsleverandøren.",
			"Økonomi bekrefter at en utbetalingsbunt feilet for flere refusjoner forrige uke.",
		},
	},
	"double_charge": {
		Subject: []string{"Trukket to ganger for bestilling {order}", "Dobbel betaling for én bestilling"},
		Opening: []string{
			"Jeg er trukket {amount} to ganger for bestilling {order} – begge betalingene står på kortutskriften samme dag. Vennligst refunder den ene.",
			"Banken min viser to like betalinger på {amount} for én bestilling ({order}). Jeg bestilte bare én gang.",
		},
		Ask: []string{
			"Beklager det. Noen ganger er den ene bare en reservasjon som forsvinner av seg selv. Kan du sjekke om begge betalingene står som gjennomført, eller om den ene står som reservert?",
			"Takk for at du sier fra. Før jeg refunderer noe: Står begge betalingene på {amount} som gjennomført på kontoutskriften, eller er den ene fortsatt reservert?",
		},
		Answer: []string{"Begge er gjennomført, ikke reservert – pengene er trukket fra kontoen min to ganger."},
		Update: []string{"Takk. Jeg kan bekrefte at den andre betalingen ble trukket ved en feil da betalingssiden vår fikk tidsavbrudd. Jeg har bedt økonomi om å refundere den og bekrefter når det er gjort."},
		Nudge:  []string{"Vet du omtrent hvor lang tid refusjonen tar?"},
		Resolve: []string{
			"Den doble betalingen på {amount} for bestilling {order} er refundert til kortet ditt i dag. Du ser den innen 3–5 virkedager – beklager bryderiet.",
			"Jeg har refundert det andre trekket på {amount}. Bestilling {order} er nå betalt én gang, slik den skal, og en bekreftelse er på vei på e-post.",
		},
		Reopen:   []string{"Refusjonen har kommet, takk – men banken min tok også et gebyr for utenlandstransaksjon for den andre betalingen. Kan dere dekke det også?"},
		Reopened: []string{"Det er rimelig, siden gebyret skyldtes vår feil. Jeg har refundert et ekstra beløp som dekker det; det vises som en egen linje på kontoutskriften."},
		Notes: []string{
			"Logg fra betalingsleverandøren: tidsavbrudd og nytt forsøk i kassen, trukket to ganger.",
			"Feilen med nytt forsøk i kassen er allerede meldt til webteamet.",
		},
	},
	"invoice_copy": {
		Subject: []string{"Kopi av faktura {invoice}", "Firmafaktura for bestilling {order}"},
		Opening: []string{
			"Kan dere sende meg en kopi av faktura {invoice} for bestilling {order}? Jeg trenger den til regnskapet og finner ikke den opprinnelige e-posten.",
			"Jeg trenger en faktura for bestilling {order} med firmanavn og organisasjonsnummer, så jeg kan føre utgiften. Faktura {invoice} har bare mitt eget navn.",
		},
		Ask: []string{
			"Det hjelper jeg gjerne med. Jeg lager fakturaen med opplysningene i kontoprofilen din – er firmanavnet og organisasjonsnummeret der oppdatert?",
			"Selvsagt. Før jeg utsteder faktura {invoice} på nytt: Kan du sjekke at firmanavnet og organisasjonsnummeret i kontoprofilen din er riktige? Jeg bruker de opplysningene.",
		},
		Direct: []string{"Her er faktura {invoice} for bestilling {order} som PDF, utstedt med opplysningene i kontoprofilen din. Du kan laste ned alle fakturaene dine under Konto → Bestillinger."},
		Answer: []string{"Bruk firmanavnet og organisasjonsnummeret slik de står i kontoprofilen min – jeg har nettopp oppdatert dem."},
		Update: []string{"Takk. For å endre kjøper på en faktura trengs en kreditnota og en ny faktura, så regnskapsavdelingen lager begge; de er klare i morgen."},
		Nudge:  []string{"Bare for å høre – er den nye fakturaen klar? Vi avslutter regnskapet på fredag."},
		Resolve: []string{
			"Vedlagt er den nye fakturaen {invoice} for bestilling {order}, med firmanavn og organisasjonsnummer fra profilen din; den tidligere versjonen er kreditert.",
			"Ordnet – faktura {invoice} er utstedt på nytt til firmaet ditt og ligger vedlagt som PDF. Den erstatter den tidligere versjonen, som nå er kreditert.",
		},
		Reopen:   []string{"Takk – men organisasjonsnummeret på fakturaen mangler «MVA» på slutten. Kan dere legge det til?"},
		Reopened: []string{"Beklager, fakturamalen vår kuttet det av. Jeg har rettet det og lagt ved faktura {invoice} på nytt med fullstendig nummer."},
		Notes: []string{
			"Faktura utstedt på nytt i faktureringssystemet; kreditnota koblet til {invoice}.",
			"Kundens organisasjonsnummer sjekket i det offentlige registeret – gyldig.",
		},
	},
	"login_problem": {
		Subject: []string{"Får ikke logget inn på kontoen min", "E-posten for å tilbakestille passordet kommer ikke"},
		Opening: []string{
			"Siden i morges har jeg ikke fått logget inn. Det står at passordet er feil, men jeg har ikke endret det, og e-posten for tilbakestilling kommer aldri. Kontoen min er {email}.",
			"Jeg har bedt om å tilbakestille passordet tre ganger nå, og ingen e-post har kommet, ikke engang i søppelposten. Jeg logger inn med {email}.",
		},
		Ask: []string{
			"Beklager bryet. Jeg ser at e-postene våre til {email} ble avvist av mottakerens e-postserver. Kan du sjekke om e-postleverandøren din blokkerer meldinger fra nye avsendere?",
			"Takk for at du skriver. Kontoen {email} ble låst etter flere mislykkede forsøk, og da stoppes også e-post for tilbakestilling. Er mobilnummeret på kontoen fortsatt ditt, så jeg kan sende deg en kode på SMS i stedet?",
		},
		Answer: []string{"Jeg kan ikke endre noe på e-postserveren selv, men mobilnummeret på kontoen stemmer – en kode på SMS passer fint."},
		Update: []string{"Takk. Jeg har låst opp kontoen og spurt e-postteamet vårt hvorfor {email} ikke mottar e-postene våre. Jeg tar kontakt så snart jeg vet mer."},
		Nudge:  []string{"Noe nytt? Jeg kommer fortsatt ikke inn uten e-posten for tilbakestilling."},
		Resolve: []string{
			"Jeg har låst opp kontoen din og sendt en ny lenke for tilbakestilling til {email}, denne gangen fra en adresse e-postserveren din godtar. Lenken gjelder i en time – si fra hvis den ikke dukker opp.",
			"Kontoen din {email} er låst opp, og i stedet for e-posten har jeg sendt deg en engangskode på SMS. Logg inn med den og velg et nytt passord; koden gjelder i 15 minutter.",
		},
		Reopen:   []string{"Det fungerte i går, men i dag er jeg låst ute igjen med samme melding."},
		Reopened: []string{"Jeg fant årsaken: En gammel app på telefonen din prøvde det forrige passordet om og om igjen og låste kontoen på nytt. Logg ut av appen og logg inn med det nye passordet der; jeg har låst opp kontoen en gang til."},
		Notes: []string{
			"E-postloggen viser 550 fra kundens e-postserver – avsenderdomenet vårt er blokkert.",
			"Kontoen ble låst etter 10 mislykkede forsøk fra samme enhet.",
		},
	},
	"bug_report": {
		Subject: []string{"Appen krasjer når jeg åpner Mine bestillinger", "Ordrehistorikken er tom i appen"},
		Opening: []string{
			"Etter at jeg oppdaterte appen til versjon {version}, lukker den seg så fort jeg åpner Mine bestillinger. Jeg har startet telefonen på nytt og installert appen på nytt – samme greie.",
			"Etter oppdateringen til {version} viser appen en tom ordrehistorikk, selv om jeg har bestilt flere ganger. På nettsiden ser jeg alle bestillingene mine.",
		},
		Ask: []string{
			"Takk for at du melder fra. Hvilken telefon og hvilken versjon av operativsystemet bruker du? Det hjelper utviklerne våre med å gjenskape feilen.",
			"Beklager det, og takk for at du sier fra. Kan du fortelle meg telefonmodellen og systemversjonen? Da sender jeg det rett til utviklerne.",
		},
		Answer: []string{"Det er en Android-telefon med Android 14, og appen er oppdatert."},
		Update: []string{"Takk – utviklerne har gjenskapt feilen på Android 14 med versjon {version}, og en retting testes nå. Inntil videre viser Mine bestillinger på nettsiden den samme informasjonen."},
		Nudge:  []string{"Finnes det en dato for rettingen? Jeg bruker appen hver dag."},
		Resolve: []string{
			"Rettingen er ute i versjon {fixversion}. Oppdater appen fra appbutikken og si fra om det fungerer for deg.",
			"Versjon {fixversion} ligger nå i appbutikken og retter feilen du meldte. Takk for den tydelige beskrivelsen – den hjalp utviklerne med å finne feilen raskt.",
		},
		Reopen:   []string{"Nå fungerer det på telefonen, men nettbrettet har fortsatt problemet, og butikken tilbyr ikke oppdateringen der ennå."},
		Reopened: []string{"Det kan ta opptil et døgn før butikken har rullet ut en oppdatering til alle enheter. Hvis nettbrettet ikke har fått {fixversion} innen i morgen, henter du den nye versjonen ved å avinstallere appen og installere den på nytt."},
		Notes: []string{
			"Gjenskapt på Android 14 med {version}; koblet til krasjrapporten i feilsporingen.",
			"Tolv andre kunder har meldt det samme siden {version}.",
		},
	},
	"feature_request": {
		Subject: []string{"Forslag til nettbutikken", "Ønske om ny funksjon"},
		Opening: []string{
			"Jeg handler mye hos dere, og én ting jeg savner, er {feature}. Er det noe dere planlegger?",
			"Kan dere legge til {feature}? Det ville gjort det mye enklere for meg å bestille, og sikkert for andre også.",
		},
		Ask: []string{
			"Takk for forslaget! For å sende det riktig videre: Hvordan ville du brukt det, og hvor ofte? Konkrete eksempler hjelper produktteamet med å bestemme seg.",
			"Det er en god idé, takk. Kan du fortelle litt om når du ville brukt det? Produktteamet vekter ønsker etter hvordan folk faktisk vil bruke dem.",
		},
		Answer: []string{"Jeg bestiller noe nesten hver uke, og nå må jeg finne en omvei hver gang. Det ville spart meg for en del styr."},
		Update: []string{"Takk, det er nyttig. Jeg har lagt ønsket ditt inn på produkttavlen vår, som teamet går gjennom hver måned, og jeg gir deg beskjed om hva de bestemmer."},
		Nudge:  []string{"Noe nytt fra produktteamet?"},
		Resolve: []string{
			"Gode nyheter: Produktteamet har satt {feature} på planen for neste kvartal. Jeg har koblet ønsket ditt til saken, så du får en e-post når det er på plass.",
			"Jeg har sendt forslaget ditt ({feature}) videre til produktteamet. Det er ikke planlagt akkurat nå, men ønskene vurderes på nytt hvert kvartal, og ditt er registrert der.",
		},
		Reopen:   []string{"Takk. Kan andre kunder stemme på det et sted også?"},
		Reopened: []string{"Ikke offentlig ennå, men alle kunder som ber om det, legges til det samme ønsket, og det gir det høyere prioritet. Si gjerne til andre at de kan skrive til oss."},
		Notes: []string{
			"Registrert på produkttavlen; 23 ønsker om dette så langt.",
			"Produktteamet går gjennom tavlen første mandag i hver måned.",
		},
	},
	"complaint": {
		Subject: []string{"Klage på bestilling {order}", "Svært skuffet over servicen deres"},
		Opening: []string{
			"Jeg er svært misfornøyd. Bestilling {order} kom for sent og var ikke komplett, og i chatten deres ventet jeg i en time. Jeg betalte {amount} og forventet bedre.",
			"Dette er tredje gang jeg skriver om bestilling {order}, og fortsatt har ingen løst det. Jeg forventer svar fra noen som faktisk kan bestemme noe.",
		},
		Ask: []string{
			"Jeg beklager – du skulle ikke trengt å purre på oss. Jeg har lest hele historikken for bestilling {order} og tar saken din selv fra nå av. Hva ville gjort dette godt igjen for deg: refusjon, eller en erstatning sendt med ekspress?",
			"Takk for tålmodigheten, og beklager hvordan dette har gått. Jeg har tatt over saken din personlig. Vil du helst ha bestillingen refundert, eller en ny levering med ekspress på vår regning?",
		},
		Answer: []string{"Refusjon, takk. Jeg vil ikke vente på enda en levering."},
		Update: []string{"Forstått. Jeg har bedt om full refusjon av {amount}; for et slikt beløp må en leder godkjenne det, og jeg bekrefter så snart det er gjort, senest i morgen."},
		Nudge:  []string{"Er det godkjent? Jeg vil gjerne få dette avsluttet."},
		Resolve: []string{
			"Jeg har refundert hele beløpet på {amount} for bestilling {order} og lagt til en kupong for gratis frakt på neste bestilling som en unnskyldning. Jeg har også delt saken din med teamet, så det ikke skjer med andre.",
			"Du har rett, og jeg beklager. Jeg har refundert {amount} for bestilling {order} og notert på kontoen din at fremtidige saker går rett til en erfaren rådgiver.",
		},
		Reopen:   []string{"Refusjonen har kommet, takk. Bare så dere vet: Jeg fikk en undersøkelse om jeg var fornøyd, før noe av dette var ordnet."},
		Reopened: []string{"Takk for at du sier fra – den undersøkelsen skulle ventet til saken din var løst. Jeg har meldt det videre så tidspunktet blir rettet, og tilbakemeldingen din er notert på saken."},
		Notes: []string{
			"Eskalert: to tidligere saker om {order} ble lukket uten løsning.",
			"Ta med i QA-gjennomgangen – overleveringen mellom skiftene sviktet i denne saken.",
		},
	},
	"gdpr_request": {
		Subject: []string{"Forespørsel om kopi av personopplysningene mine", "Innsynsbegjæring (GDPR)"},
		Opening: []string{
			"I henhold til personvernforordningen ber jeg om en kopi av alle personopplysninger dere har om meg. Kontoen min er {email}.",
			"Send meg en oversikt over personopplysningene dere lagrer om meg, og hva dere bruker dem til. Jeg er registrert med {email}.",
		},
		Ask: []string{
			"Takk for forespørselen. For å beskytte opplysningene dine må vi først bekrefte at det er deg: Logg inn og bekreft forespørselen under Konto → Personvern.",
			"Vi har registrert forespørselen din. Før vi sender noe, må du bekrefte den under Konto → Personvern mens du er logget inn som {email} – slik vet vi at forespørselen kommer fra deg.",
		},
		Answer: []string{"Jeg har bekreftet forespørselen i kontoen min nå."},
		Update: []string{"Takk – forespørselen er bekreftet. Eksporten settes sammen fra nettbutikken, nyhetsbrevet og kundeservicesystemet, og du får den godt innenfor de 30 dagene loven gir."},
		Nudge:  []string{"Bare for å høre hvordan det går med eksporten av opplysningene mine."},
		Resolve: []string{
			"Eksporten av opplysningene dine er klar: Det ligger en nedlastingslenke i e-posten vi nettopp sendte til {email}, gyldig i sju dager. Den omfatter kontoopplysninger, bestillinger, innstillinger for nyhetsbrev og meldingene dine til oss.",
			"Jeg har sendt oversikten over personopplysningene dine til {email}, med en forklaring på hva hver del brukes til og hvor lenge vi lagrer den. Si fra om du vil ha noe rettet eller slettet.",
		},
		Reopen:   []string{"Takk. Kan dere også slette opplysningene mine for nyhetsbrevet og de gamle bestillingene mine?"},
		Reopened: []string{"Jeg har meldt deg av nyhetsbrevet og slettet opplysningene som hørte til. Bestillinger må vi ta vare på så lenge bokføringsreglene krever; alt som er eldre enn det, er nå slettet, og resten slettes når tiden er inne."},
		Notes: []string{
			"Identitet bekreftet via kontoen. Lovpålagt frist: 30 dager fra forespørselen.",
			"Eksport laget fra data i nettbutikk, nyhetsbrev og kundeservice.",
		},
	},
	"membership_cancel": {
		Subject: []string{"Si opp {plan}-medlemskapet mitt", "Hvordan avslutter jeg {plan}-medlemskapet?"},
		Opening: []string{
			"Vennligst si opp {plan}-medlemskapet mitt fra slutten av denne måneden. Jeg finner ikke valget i kontoinnstillingene.",
			"Jeg bruker ikke {plan}-medlemskapet nok lenger og vil gjerne avslutte det. Hvordan gjør jeg det?",
		},
		Ask: []string{
			"Det kan jeg hjelpe med. Vil du avslutte helt, eller bytte til gratis medlemskap, så du beholder ordrehistorikken og ønskelistene?",
			"Selvsagt. Før jeg sier det opp: Skal jeg avslutte det helt, eller flytte deg til gratis medlemskap, som tar vare på de lagrede listene dine?",
		},
		Answer: []string{"Det er greit å avslutte helt, takk. Jeg trenger ikke de lagrede listene."},
		Update: []string{"Takk. Jeg har lagt inn oppsigelsen fra slutten av inneværende periode, så du beholder {plan}-fordelene til da. En bekreftelse er på vei på e-post."},
		Nudge:  []string{"Jeg har ikke fått bekreftelsen på e-post ennå – er oppsigelsen registrert?"},
		Resolve: []string{
			"Ordnet – {plan}-medlemskapet ditt avsluttes siste dag i denne perioden, og du blir ikke trukket igjen. Bekreftelsen ligger i innboksen din. Kan jeg spørre hva som gjorde at du sluttet? Det hjelper oss å bli bedre.",
			"{plan}-medlemskapet ditt er sagt opp, og det blir ikke trukket flere betalinger. Du beholder fordelene ut perioden du har betalt for.",
		},
		Reopen:   []string{"Takk. Om det er nyttig: Det var mest prisen."},
		Reopened: []string{"Takk, det er godt å vite – jeg har sendt det videre til teamet som setter prisene. Du er alltid velkommen tilbake."},
		Notes: []string{
			"Årsak til oppsigelse: pris. Tilbød to måneder til halv pris; takket nei.",
			"Oppsigelse lagt inn i faktureringssystemet, gjelder fra periodens slutt.",
		},
	},
	"product_question": {
		Subject: []string{"Spørsmål om {product}", "Før jeg kjøper: garanti og retur"},
		Opening: []string{
			"Jeg vurderer å kjøpe {product}. Hvor lang er garantien, og kan jeg returnere varen hvis den ikke passer meg?",
			"Før jeg bestiller {product}, vil jeg gjerne vite hvilken garanti varen har, og om jeg kan sende den tilbake hvis den ikke er riktig for meg.",
		},
		Ask: []string{
			"Det hjelper jeg gjerne med. Er det til deg selv eller en gave? Returreglene er litt annerledes med gavekvittering.",
			"Gode spørsmål! Først én ting: Kjøper du varen til deg selv eller som gave? Med gavekvittering er returfristen lengre.",
		},
		Answer: []string{"Det er en gave til søsteren min på bursdagen hennes."},
		Update: []string{"Takk! Med gavekvittering kan søsteren din bytte varen selv innen 60 dager, uten å se prisen. Jeg sjekker de nøyaktige garantivilkårene med leverandøren og kommer tilbake til deg."},
		Nudge:  []string{"Har leverandøren svart om garantien?"},
		Resolve: []string{
			"Det er to års garanti på {product}, og du kan returnere varen ubrukt innen 30 dager – 60 dager med gavekvittering. Bestillinger lagt inn før kl. 15 på hverdager sendes fra lageret samme dag.",
			"Du får to års garanti på {product} fra kjøpsdatoen, og den vanlige returretten på 30 dager gjelder. Legger du til gavekvittering i kassen, er returfristen 60 dager, og prisen vises ikke.",
		},
		Reopen:   []string{"Jeg bestilte i går – kan jeg fortsatt legge til gavekvittering?"},
		Reopened: []string{"Ja – jeg har lagt til gavekvittering på bestillingen din. Den ligger i esken, og prisen vises ikke på følgeseddelen."},
		Notes: []string{
			"Garantivilkår bekreftet med leverandøren: to år, deler og arbeid.",
			"Fast kunde med flere tidligere bestillinger.",
		},
	},
}
