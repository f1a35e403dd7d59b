package demo

// Danish demo conversations (see lines in content.go). A product is named
// as "varen ({product})" or without an article, since its gender differs
// from product to product.

var frameDA = frame{
	Greet:         []string{"Hej {first}", "Kære {first}"},
	Sign:          []string{"Venlig hilsen\n{agent}", "Med venlig hilsen\n{agent}\nKundeservice"},
	CustomerGreet: []string{"Hej,", "Hej!"},
	CustomerSign:  []string{"Mvh.\n{name}", "Venlig hilsen\n{name}"},
	Phone:         "Telefonopkald fra {name}. Med kundens egne ord:",
}

var linesDA = map[string]lines{
	"order_late": {
		Subject: []string{"Hvor er ordre {order}?", "Ordre {order} er stadig ikke leveret"},
		Opening: []string{
			"Jeg bestilte {product} for ti dage siden (ordre {order}), og trackingen har ikke rykket sig siden mandag. Kan I finde ud af, hvad der sker?",
			"Ordre {order} skulle være kommet i fredags, men der er ikke kommet noget. Trackingnummeret {tracking} viser bare »undervejs«, og jeg skal bruge varen ({product}) inden weekenden.",
		},
		Ask: []string{
			"Undskyld ventetiden. Ordre {order} forlod vores lager til tiden, så jeg har sendt en efterlysning til fragtfirmaet om pakke {tracking}. Kan du imens tjekke din postkasse og spørge naboerne, om der er lagt en afhentningsseddel?",
			"Tak fordi du skriver. Fragtfirmaet viser pakke {tracking} på sorteringscentret uden nogen leveringsscanning. Kan du bekræfte, at leveringsadressen på ordre {order} stadig er rigtig, også lejlighedsnummeret?",
		},
		Answer: []string{"Adressen på ordren er rigtig, og der er ingen afhentningsseddel i postkassen eller hos naboerne."},
		Update: []string{"Fragtfirmaet har svaret: Pakke {tracking} blev sendt til den forkerte terminal og bliver nu omdirigeret. Jeg holder øje med den og skriver igen, hvis den ikke har flyttet sig i morgen."},
		Nudge:  []string{"Nu er der gået to dage, og trackingen for {tracking} viser stadig det samme."},
		Resolve: []string{
			"Fragtfirmaet kan ikke finde pakke {tracking}, så jeg har sendt {product} til dig igen med ekspres på vores regning; det nye trackingnummer kommer på mail i dag. Hvis den første pakke alligevel dukker op, kan du bare nægte at modtage den, så kommer den retur til os.",
			"Gode nyheder: Fragtfirmaet fandt pakke {tracking} på deres terminal, og den er nu ude til levering. Som en undskyldning for forsinkelsen har jeg refunderet fragten for ordre {order}.",
		},
		Reopen:   []string{"Trackingen siger nu »leveret«, men der er ikke kommet noget her, og ingen har kvitteret for pakken."},
		Reopened: []string{"Det må du undskylde, det må ikke ske. Jeg har oprettet en reklamation hos fragtfirmaet for manglende levering og refunderet hele ordre {order}; beløbet vises på din kontoudskrift inden for 3–5 bankdage."},
		Notes: []string{
			"Efterlysning sendt til fragtfirmaet om {tracking}; de svarer inden for 24 timer.",
			"Flere pakker via samme terminal er forsinket i denne uge – sagt til logistik.",
		},
	},
	"damaged_item": {
		Subject: []string{"Beskadiget vare i ordre {order}", "Ordre {order} kom i stykker"},
		Opening: []string{
			"Ordre {order} kom i dag, og der går en revne tværs igennem varen ({product}). Kassen så fin ud udefra. Jeg vil gerne have en erstatning.",
			"Jeg har lige pakket ordre {order} ud: Varen ({product}) er beskadiget og kan ikke bruges. Hvad sker der nu?",
		},
		Ask: []string{
			"Det er jeg ked af, at varen kom sådan. Kan du sende os et par billeder af skaden og af kassen? Så sørger jeg for en erstatning med det samme.",
			"Sådan skal den ikke komme frem – undskyld. For at jeg kan anmelde det til fragtfirmaet: Kan du svare med et billede af skaden og af fragtlabelen?",
		},
		Answer: []string{"Billeder vedhæftet. Skaden er i venstre side, og kassen har en bule i samme hjørne."},
		Update: []string{"Tak for billederne. Jeg har anmeldt skaden til fragtfirmaet og reserveret en ny vare ({product}) til dig; den sendes, så snart lageret har bekræftet beholdningen."},
		Nudge:  []string{"Er erstatningen sendt endnu? Jeg har ikke fået nogen mail om forsendelsen."},
		Resolve: []string{
			"En ny vare ({product}) er på vej til dig, og du får tracking på mail. Du behøver ikke sende den beskadigede retur – aflever den gerne til genbrug.",
			"Jeg har sendt dig en erstatning ({product}) med en forudbetalt returlabel i kassen. Brug den til at sende den beskadigede vare retur inden for 30 dage; det koster dig ingenting.",
		},
		Reopen:   []string{"Erstatningen kom i dag, men den har en anden farve end den, jeg bestilte."},
		Reopened: []string{"Du har ret, lageret plukkede den forkerte farve. Jeg har sendt den rigtige med ekspres – den anden kan du beholde eller give væk, som det passer dig."},
		Notes: []string{
			"Tredje beskadigede pakke fra dette lager i denne uge – meldt til logistik.",
			"Skaden anmeldt til fragtfirmaet for ordre {order}; erstatningskrav sendt.",
		},
	},
	"return_refund": {
		Subject: []string{"Returnering af ordre {order}", "Retur: {product}"},
		Opening: []string{
			"Jeg vil gerne returnere ordre {order}. Varen ({product}) er ubrugt og ligger i den originale kasse – den var bare ikke, som jeg havde forventet. Hvordan sender jeg den retur?",
			"Jeg vil sende varen fra ordre {order} retur ({product}, {amount}); den passer ikke til mig. Kan jeg få pengene tilbage?",
		},
		Ask: []string{
			"Selvfølgelig – du er et godt stykke inden for returfristen på 30 dage. Jeg har mailet dig en forudbetalt returlabel; sæt den på kassen, og aflever pakken i en vilkårlig pakkeshop. Sig gerne til, når den er sendt.",
			"Intet problem. Jeg har registreret en returnering af ordre {order} og mailet dig en forudbetalt label. Aflever pakken i en pakkeshop, og svar her, når den er sendt, så holder jeg øje med den.",
		},
		Direct: []string{"Selvfølgelig – du er inden for returfristen på 30 dage. Jeg har mailet dig en forudbetalt returlabel til ordre {order}; når varen ({product}) er tilbage på vores lager, refunderes {amount} automatisk til dit kort."},
		Answer: []string{"Tak for labelen. Pakken blev afleveret i pakkeshoppen i morges."},
		Update: []string{"Tak. Trackingen viser, at pakken er på vej til vores lager. Refusionen sendes, så snart den er registreret, normalt inden for to hverdage efter ankomst."},
		Nudge:  []string{"Trackingen siger, at pakken nåede jeres lager i tirsdags. Hvornår ser jeg pengene?"},
		Resolve: []string{
			"Din returnering er registreret, og jeg har refunderet {amount} til det kort, du betalte med. Afhængigt af din bank vises det inden for 3–5 bankdage.",
			"Alt er klaret: Varen ({product}) er tilbage hos os, og refusionen på {amount} for ordre {order} er udbetalt. Du får også en bekræftelse på mail.",
		},
		Reopen:   []string{"Refusionen er kommet, tak – men den fragt, jeg betalte, var ikke med. Bliver den ikke også refunderet?"},
		Reopened: []string{"Du har ret: Når hele ordren returneres, refunderes den oprindelige fragt også. Jeg har sendt den separat, så den vises som en særskilt linje på din kontoudskrift."},
		Notes: []string{
			"Returnering registreret for {order}; refusionen frigives automatisk ved registrering.",
			"Varen tjekket på lageret: ubrugt, kan komme tilbage på lager.",
		},
	},
	"exchange_size": {
		Subject: []string{"Ombytning til størrelse {newsize}", "Forkert størrelse i ordre {order}"},
		Opening: []string{
			"Varen fra ordre {order} ({product}, størrelse {size}) er for lille. Kan jeg bytte til størrelse {newsize}?",
			"Jeg bestilte {product} i størrelse {size} (ordre {order}), men den størrelse var for stram. Jeg vil hellere have størrelse {newsize}, hvis I har den.",
		},
		Ask: []string{
			"Selvfølgelig – størrelse {newsize} er på lager, og jeg har reserveret en til dig. Jeg har mailet dig en forudbetalt returlabel; sig til, når du har sendt størrelse {size} retur.",
			"Det hjælper jeg gerne med. Jeg har oprettet en ombytning til størrelse {newsize} og mailet dig en returlabel. Når størrelse {size} er på vej retur til os, skal du bare svare her.",
		},
		Direct: []string{"Selvfølgelig – størrelse {newsize} er på lager. Jeg har mailet dig en forudbetalt returlabel til størrelse {size}; så snart fragtfirmaet scanner din pakke, sender vi størrelse {newsize} til dig."},
		Answer: []string{"Tak! Pakken med størrelse {size} blev afleveret i pakkeshoppen i morges."},
		Update: []string{"Tak – jeg kan se din pakke i fragtfirmaets system. Størrelse {newsize} forlader vores lager, så snart returen er scannet på terminalen."},
		Nudge:  []string{"Trackingen siger, at min returpakke er kommet frem. Er størrelse {newsize} sendt?"},
		Resolve: []string{
			"Størrelse {newsize} ({product}) er på vej, og du får tracking på mail i dag. Returneringen fra ordre {order} er registreret, så du behøver ikke gøre mere.",
			"Ombytningen er gennemført: Størrelse {newsize} blev sendt i dag, og størrelse {size} er registreret på vores lager.",
		},
		Reopen:   []string{"Størrelse {newsize} passer perfekt, tak. Men jeg blev opkrævet et returgebyr – jeg troede, ombytning var gratis?"},
		Reopened: []string{"Det er det også, og det beklager jeg. Gebyret blev lagt på ved en fejl, og jeg har refunderet det til dit kort."},
		Notes: []string{
			"Ombytningsordre oprettet for {order}; størrelse {newsize} reserveret i 7 dage.",
			"Størrelse {size} af denne model kommer ofte retur som for lille – givet videre til indkøb.",
		},
	},
	"refund_missing": {
		Subject: []string{"Refusion for ordre {order} ikke modtaget", "Venter stadig på min refusion"},
		Opening: []string{
			"Jeg returnerede ordre {order} for mere end to uger siden, og i jeres mail stod der, at refusionen på {amount} var på vej. Der er stadig ikke kommet noget ind på min konto.",
			"I bekræftede min returnering af ordre {order} i sidste uge, men de {amount} er stadig ikke kommet tilbage på mit kort. Hvor bliver min refusion af?",
		},
		Ask: []string{
			"Tak for din tålmodighed. Jeg kan se, at refusionen på {amount} for ordre {order} er godkendt. Kan du fortælle mig, hvilket kort du betalte med, så jeg kan finde den hos vores betalingsudbyder?",
			"Undskyld ventetiden. For at spore betalingen har jeg brug for én oplysning: Betalte du med kort, med faktura eller med en betalingsapp på mobilen?",
		},
		Answer: []string{"Med kort – Visa-kortet, der ender på {card}."},
		Update: []string{"Tak. Betalingsudbyderen siger, at refusionen blev holdt tilbage, fordi din bank har udskiftet kortet, der ender på {card}. De sender den nu til det nye kort, og det tager et par dage mere."},
		Nudge:  []string{"Nu er der gået fire dage, og der er stadig ingenting på min kontoudskrift."},
		Resolve: []string{
			"Refusionen på {amount} for ordre {order} blev sendt i dag; betalingsreferencen står i den mail, jeg lige har sendt dig. De fleste banker viser den inden for 3–5 bankdage.",
			"Vores økonomiafdeling bekræfter, at {amount} for ordre {order} blev betalt tilbage til dit kort i denne uge. Hvis beløbet ikke står på din kontoudskrift senest fredag, så send os et skærmbillede, så tager vi det op med banken.",
		},
		Reopen:   []string{"Min bank siger, at refusionen blev sendt tilbage til jer, fordi referencen ikke passede til min konto."},
		Reopened: []string{"Tak fordi du tjekkede med banken. Jeg har annulleret den første refusion og sendt {amount} igen som bankoverførsel; denne gang følger vi den fra vores side, og jeg bekræfter, når den er gået igennem."},
		Notes: []string{
			"Refusion godkendt på returdatoen; sidder fast hos betalingsudbyderen.",
			"Økonomi bekræfter, at en udbetalingskørsel fejlede for flere refusioner i sidste uge.",
		},
	},
	"double_charge": {
		Subject: []string{"Trukket to gange for ordre {order}", "Dobbelt betaling for én ordre"},
		Opening: []string{
			"Jeg er blevet trukket {amount} to gange for ordre {order} – begge betalinger står på min kortudskrift samme dag. Refunder venligst den ene.",
			"Min bank viser to ens betalinger på {amount} for én og samme ordre ({order}). Jeg bestilte kun én gang.",
		},
		Ask: []string{
			"Det beklager jeg. Nogle gange er den ene kun en reservation, der forsvinder af sig selv. Kan du tjekke, om begge betalinger står som gennemført, eller om den ene står som reserveret?",
			"Tak fordi du siger til. Før jeg refunderer noget: Står begge betalinger på {amount} som gennemført på din kontoudskrift, eller er den ene stadig reserveret?",
		},
		Answer: []string{"Begge er gennemført, ikke reserveret – pengene er trukket fra min konto to gange."},
		Update: []string{"Tak. Jeg kan bekræfte, at den anden betaling blev trukket ved en fejl, da vores betalingsside fik timeout. Jeg har bedt økonomi om at refundere den og bekræfter, når det er gjort."},
		Nudge:  []string{"Ved du cirka, hvor lang tid refusionen tager?"},
		Resolve: []string{
			"Den dobbelte betaling på {amount} for ordre {order} er refunderet til dit kort i dag. Du kan se den inden for 3–5 bankdage – undskyld besværet.",
			"Jeg har refunderet den anden trækning på {amount}. Ordre {order} er nu betalt én gang, som den skal være, og en bekræftelse er på vej på mail.",
		},
		Reopen:   []string{"Refusionen er kommet, tak – men min bank tog også et gebyr for udenlandsk transaktion for den anden betaling. Kan I dække det også?"},
		Reopened: []string{"Det er rimeligt, da gebyret skyldtes vores fejl. Jeg har refunderet et ekstra beløb, der dækker det; det vises som en særskilt linje på din kontoudskrift."},
		Notes: []string{
			"Log fra betalingsudbyderen: timeout og nyt forsøg i kassen, trukket to gange.",
			"Fejlen med nyt forsøg i kassen er allerede meldt til webteamet.",
		},
	},
	"invoice_copy": {
		Subject: []string{"Kopi af faktura {invoice}", "Firmafaktura for ordre {order}"},
		Opening: []string{
			"Kan I sende mig en kopi af faktura {invoice} for ordre {order}? Jeg skal bruge den til regnskabet og kan ikke finde den oprindelige mail.",
			"Jeg har brug for en faktura for ordre {order} med vores firmanavn og CVR-nummer, så jeg kan bogføre udgiften. Faktura {invoice} har kun mit eget navn.",
		},
		Ask: []string{
			"Det hjælper jeg gerne med. Jeg udsteder fakturaen med oplysningerne i din kontoprofil – er firmanavnet og CVR-nummeret dér opdateret?",
			"Selvfølgelig. Før jeg udsteder faktura {invoice} igen: Kan du tjekke, at firmanavnet og CVR-nummeret i din kontoprofil er aktuelle? Jeg bruger de oplysninger.",
		},
		Direct: []string{"Her er faktura {invoice} for ordre {order} som PDF, udstedt med oplysningerne i din kontoprofil. Du kan downloade alle dine fakturaer under Konto → Ordrer."},
		Answer: []string{"Brug vores firmanavn og CVR-nummer, som de står i min kontoprofil – jeg har lige opdateret dem."},
		Update: []string{"Tak. For at ændre køberen på en faktura skal der en kreditnota og en ny faktura til, så vores bogholderi laver begge; de er klar i morgen."},
		Nudge:  []string{"Jeg hører lige – er den nye faktura klar? Vi lukker regnskabet på fredag."},
		Resolve: []string{
			"Vedhæftet er den nye faktura {invoice} for ordre {order} med firmanavn og CVR-nummer fra din profil; den tidligere version er krediteret.",
			"Klaret – faktura {invoice} er udstedt igen til dit firma og vedhæftet som PDF. Den erstatter den tidligere version, som nu er krediteret.",
		},
		Reopen:   []string{"Tak – men CVR-nummeret på fakturaen står uden landekoden »DK« foran, som vores bogholder skal bruge. Kan I tilføje den?"},
		Reopened: []string{"Undskyld, vores fakturaskabelon skar den fra. Jeg har rettet det og vedhæftet faktura {invoice} igen med det fulde nummer."},
		Notes: []string{
			"Faktura genudstedt i faktureringssystemet; kreditnota knyttet til {invoice}.",
			"Kundens CVR-nummer tjekket i det offentlige register – gyldigt.",
		},
	},
	"login_problem": {
		Subject: []string{"Kan ikke logge ind på min konto", "Mailen til nulstilling af adgangskode kommer ikke"},
		Opening: []string{
			"Siden i morges har jeg ikke kunnet logge ind. Der står, at adgangskoden er forkert, men jeg har ikke ændret den, og mailen til nulstilling kommer aldrig. Min konto er {email}.",
			"Jeg har bedt om at nulstille adgangskoden tre gange nu, og der er ikke kommet nogen mail, heller ikke i spam-mappen. Jeg logger ind med {email}.",
		},
		Ask: []string{
			"Undskyld besværet. Jeg kan se, at vores mails til {email} blev afvist af modtagerens mailserver. Kan du tjekke, om din mailudbyder blokerer beskeder fra nye afsendere?",
			"Tak fordi du skriver. Kontoen {email} blev låst efter flere mislykkede forsøg, og så stoppes mails til nulstilling også. Er mobilnummeret på kontoen stadig dit, så jeg kan sende dig en kode på sms i stedet?",
		},
		Answer: []string{"Jeg kan ikke selv ændre noget på mailserveren, men mobilnummeret på kontoen er rigtigt – en kode på sms er fint."},
		Update: []string{"Tak. Jeg har låst kontoen op og spurgt vores mailteam, hvorfor {email} ikke modtager vores mails. Jeg vender tilbage, så snart jeg ved mere."},
		Nudge:  []string{"Noget nyt? Jeg kan stadig ikke komme ind uden mailen til nulstilling."},
		Resolve: []string{
			"Jeg har låst din konto op og sendt et nyt nulstillingslink til {email}, denne gang fra en adresse, som din mailserver accepterer. Linket gælder i en time – sig til, hvis det ikke dukker op.",
			"Din konto {email} er låst op, og i stedet for mailen har jeg sendt dig en engangskode på sms. Log ind med den, og vælg en ny adgangskode; koden gælder i 15 minutter.",
		},
		Reopen:   []string{"Det virkede i går, men i dag er jeg låst ude igen med samme besked."},
		Reopened: []string{"Jeg fandt årsagen: En gammel app på din telefon prøvede den tidligere adgangskode igen og igen og låste kontoen på ny. Log ud af appen, og log ind med den nye adgangskode dér; jeg har låst kontoen op en gang til."},
		Notes: []string{
			"Mailloggen viser 550 fra kundens mailserver – vores afsenderdomæne er blokeret.",
			"Kontoen blev låst efter 10 mislykkede forsøg fra samme enhed.",
		},
	},
	"bug_report": {
		Subject: []string{"Appen lukker ned, når jeg åbner Mine ordrer", "Ordrehistorikken er tom i appen"},
		Opening: []string{
			"Siden jeg opdaterede appen til version {version}, lukker den ned, så snart jeg åbner Mine ordrer. Jeg har genstartet telefonen og geninstalleret appen – samme resultat.",
			"Efter opdateringen til {version} viser appen en tom ordrehistorik, selvom jeg har bestilt flere gange. På hjemmesiden kan jeg se alle mine ordrer.",
		},
		Ask: []string{
			"Tak for fejlmeldingen. Hvilken telefon og hvilken version af styresystemet bruger du? Det hjælper vores udviklere med at genskabe fejlen.",
			"Det beklager jeg, og tak fordi du siger til. Kan du fortælle mig din telefonmodel og systemversion? Så sender jeg det direkte til udviklerne.",
		},
		Answer: []string{"Det er en Android-telefon med Android 14, og appen er opdateret."},
		Update: []string{"Tak – udviklerne har genskabt fejlen på Android 14 med version {version}, og en rettelse bliver testet nu. Indtil da viser Mine ordrer på hjemmesiden de samme oplysninger."},
		Nudge:  []string{"Er der en dato for rettelsen? Jeg bruger appen hver dag."},
		Resolve: []string{
			"Rettelsen er ude i version {fixversion}. Opdater appen fra appbutikken, og sig til, om det virker for dig.",
			"Version {fixversion} ligger nu i appbutikken og retter den fejl, du meldte. Tak for den klare beskrivelse – den hjalp udviklerne med at finde fejlen hurtigt.",
		},
		Reopen:   []string{"Nu virker det på telefonen, men min tablet har stadig problemet, og butikken tilbyder ikke opdateringen dér endnu."},
		Reopened: []string{"Det kan tage op til et døgn, før butikken har rullet en opdatering ud til alle enheder. Hvis tabletten ikke har fået {fixversion} i morgen, henter du den nye version ved at afinstallere og geninstallere appen."},
		Notes: []string{
			"Genskabt på Android 14 med {version}; knyttet til crashrapporten i fejlsporingen.",
			"Tolv andre kunder har meldt det samme siden {version}.",
		},
	},
	"feature_request": {
		Subject: []string{"Forslag til webshoppen", "Ønske om ny funktion"},
		Opening: []string{
			"Jeg handler meget hos jer, og én ting, jeg savner, er {feature}. Er det noget, I planlægger?",
			"Kan I tilføje {feature}? Det ville gøre det meget nemmere for mig at bestille, og sikkert også for andre.",
		},
		Ask: []string{
			"Tak for forslaget! For at sende det rigtigt videre: Hvordan ville du bruge det, og hvor tit? Konkrete eksempler hjælper produktteamet med at beslutte sig.",
			"Det er en god idé, tak. Kan du fortælle lidt om, hvornår du ville bruge det? Produktteamet vægter ønsker efter, hvordan folk faktisk vil bruge dem.",
		},
		Answer: []string{"Jeg bestiller noget næsten hver uge, og lige nu må jeg finde en omvej hver gang. Det ville spare mig for en del besvær."},
		Update: []string{"Tak, det er nyttigt. Jeg har lagt dit ønske på vores produkttavle, som teamet gennemgår hver måned, og jeg giver dig besked om, hvad de beslutter."},
		Nudge:  []string{"Noget nyt fra produktteamet?"},
		Resolve: []string{
			"Gode nyheder: Produktteamet har sat {feature} på planen for næste kvartal. Jeg har knyttet dit ønske til det, så du får en mail, når det er klar.",
			"Jeg har sendt dit forslag ({feature}) videre til produktteamet. Det er ikke planlagt lige nu, men ønskerne gennemgås igen hvert kvartal, og dit er registreret dér.",
		},
		Reopen:   []string{"Tak. Kan andre kunder også stemme på det et sted?"},
		Reopened: []string{"Ikke offentligt endnu, men alle kunder, der beder om det, bliver tilføjet til det samme ønske, og det giver det højere prioritet. Sig gerne til andre, at de kan skrive til os."},
		Notes: []string{
			"Registreret på produkttavlen; 23 ønsker om dette indtil videre.",
			"Produktteamet gennemgår tavlen den første mandag i hver måned.",
		},
	},
	"complaint": {
		Subject: []string{"Klage over ordre {order}", "Meget skuffet over jeres service"},
		Opening: []string{
			"Jeg er meget utilfreds. Ordre {order} kom for sent og var ikke komplet, og i jeres chat ventede jeg en time. Jeg betalte {amount} og forventede bedre.",
			"Det er tredje gang, jeg skriver om ordre {order}, og stadig har ingen løst det. Jeg forventer svar fra en, der faktisk kan træffe en beslutning.",
		},
		Ask: []string{
			"Det beklager jeg – du burde ikke have skullet rykke os. Jeg har læst hele historikken for ordre {order} og tager mig selv af din sag fra nu af. Hvad ville gøre det godt igen for dig: en refusion eller en erstatning sendt med ekspres?",
			"Tak for din tålmodighed, og undskyld forløbet. Jeg har personligt overtaget din sag. Vil du helst have ordren refunderet eller en ny levering med ekspres på vores regning?",
		},
		Answer: []string{"En refusion, tak. Jeg vil ikke vente på endnu en levering."},
		Update: []string{"Forstået. Jeg har bedt om fuld refusion af {amount}; et så stort beløb skal godkendes af en leder, og jeg bekræfter, så snart det er sket, senest i morgen."},
		Nudge:  []string{"Er det godkendt? Jeg vil gerne have det her afsluttet."},
		Resolve: []string{
			"Jeg har refunderet hele beløbet på {amount} for ordre {order} og tilføjet en kupon på gratis fragt til din næste ordre som undskyldning. Jeg har også delt din sag med teamet, så det ikke sker for andre.",
			"Du har ret, og det beklager jeg. Jeg har refunderet {amount} for ordre {order} og noteret på din konto, at fremtidige sager går direkte til en erfaren medarbejder.",
		},
		Reopen:   []string{"Refusionen er kommet, tak. Bare så I ved det: Jeg fik en undersøgelse om, hvorvidt jeg var tilfreds, før noget af det her var ordnet."},
		Reopened: []string{"Tak fordi du siger det – den undersøgelse skulle have ventet, til din sag var løst. Jeg har givet det videre, så tidspunktet bliver rettet, og din feedback er noteret på sagen."},
		Notes: []string{
			"Eskaleret: to tidligere sager om {order} blev lukket uden løsning.",
			"Med i QA-gennemgangen – overdragelsen mellem vagterne svigtede i denne sag.",
		},
	},
	"gdpr_request": {
		Subject: []string{"Anmodning om kopi af mine personoplysninger", "Anmodning om indsigt (GDPR)"},
		Opening: []string{
			"I henhold til databeskyttelsesforordningen vil jeg gerne have en kopi af alle de personoplysninger, I har om mig. Min konto er {email}.",
			"Send mig venligst en oversigt over de personoplysninger, I gemmer om mig, og hvad I bruger dem til. Jeg er registreret med {email}.",
		},
		Ask: []string{
			"Tak for din anmodning. For at beskytte dine oplysninger skal vi først bekræfte, at det er dig: Log ind, og bekræft anmodningen under Konto → Privatliv.",
			"Vi har registreret din anmodning. Før vi sender noget, skal du bekræfte den under Konto → Privatliv, mens du er logget ind som {email} – så ved vi, at anmodningen kommer fra dig.",
		},
		Answer: []string{"Jeg har bekræftet anmodningen på min konto nu."},
		Update: []string{"Tak – anmodningen er bekræftet. Eksporten samles fra webshoppen, nyhedsbrevet og kundeservicesystemet, og du får den et godt stykke inden for de 30 dage, loven giver."},
		Nudge:  []string{"Jeg hører bare, hvordan det går med eksporten af mine oplysninger."},
		Resolve: []string{
			"Eksporten af dine oplysninger er klar: Der ligger et downloadlink i den mail, vi lige har sendt til {email}, gyldigt i syv dage. Den omfatter kontooplysninger, ordrer, indstillinger for nyhedsbrev og dine beskeder til os.",
			"Jeg har sendt oversigten over dine personoplysninger til {email} med en forklaring på, hvad hver del bruges til, og hvor længe vi gemmer den. Sig til, hvis du vil have noget rettet eller slettet.",
		},
		Reopen:   []string{"Tak. Kan I også slette mine oplysninger til nyhedsbrevet og mine gamle ordrer?"},
		Reopened: []string{"Jeg har afmeldt dig nyhedsbrevet og slettet de tilhørende oplysninger. Ordrer skal vi gemme, så længe bogføringsreglerne kræver; alt, der er ældre end det, er nu slettet, og resten slettes, når tiden er inde."},
		Notes: []string{
			"Identitet bekræftet via kontoen. Lovpligtig frist: 30 dage fra anmodningen.",
			"Eksport samlet fra webshop, nyhedsbrev og kundeservice.",
		},
	},
	"membership_cancel": {
		Subject: []string{"Opsig mit {plan}-medlemskab", "Hvordan stopper jeg mit {plan}-medlemskab?"},
		Opening: []string{
			"Opsig venligst mit {plan}-medlemskab fra udgangen af denne måned. Jeg kan ikke finde muligheden i kontoindstillingerne.",
			"Jeg bruger ikke mit {plan}-medlemskab nok længere og vil gerne stoppe det. Hvordan gør jeg det?",
		},
		Ask: []string{
			"Det kan jeg hjælpe med. Vil du stoppe helt eller skifte til det gratis medlemskab, så du beholder din ordrehistorik og dine ønskelister?",
			"Selvfølgelig. Før jeg opsiger det: Skal jeg stoppe det helt eller flytte dig til det gratis medlemskab, som gemmer dine lister?",
		},
		Answer: []string{"Det er fint at stoppe helt, tak. Jeg har ikke brug for de gemte lister."},
		Update: []string{"Tak. Jeg har registreret opsigelsen til udgangen af din nuværende periode, så du beholder {plan}-fordelene indtil da. En bekræftelse er på vej på mail."},
		Nudge:  []string{"Jeg har ikke fået bekræftelsen på mail endnu – er opsigelsen registreret?"},
		Resolve: []string{
			"Klaret – dit {plan}-medlemskab ophører den sidste dag i denne periode, og du bliver ikke trukket igen. Bekræftelsen ligger i din indbakke. Må jeg spørge, hvorfor du stopper? Det hjælper os med at blive bedre.",
			"Dit {plan}-medlemskab er opsagt, og der bliver ikke trukket flere betalinger. Du beholder fordelene resten af den periode, du har betalt for.",
		},
		Reopen:   []string{"Tak. Hvis det kan bruges til noget: Det var mest prisen."},
		Reopened: []string{"Tak, det er godt at vide – jeg har givet det videre til teamet, der fastsætter priserne. Du er altid velkommen tilbage."},
		Notes: []string{
			"Opsigelsesårsag: pris. Tilbød to måneder til halv pris; takkede nej.",
			"Opsigelse registreret i faktureringssystemet, gælder fra periodens udløb.",
		},
	},
	"product_question": {
		Subject: []string{"Spørgsmål om {product}", "Før jeg køber: garanti og returnering"},
		Opening: []string{
			"Jeg overvejer at købe {product}. Hvor lang er garantien, og kan jeg returnere varen, hvis den ikke passer mig?",
			"Før jeg bestiller {product}, vil jeg gerne vide, hvilken garanti varen har, og om jeg kan sende den retur, hvis den ikke er den rigtige for mig.",
		},
		Ask: []string{
			"Det hjælper jeg gerne med. Er det til dig selv eller en gave? Returreglerne er lidt anderledes med en gavebon.",
			"Gode spørgsmål! Lige én ting først: Køber du varen til dig selv eller som gave? Med en gavebon er returfristen længere.",
		},
		Answer: []string{"Det er en gave til min søster på hendes fødselsdag."},
		Update: []string{"Tak! Med en gavebon kan din søster selv bytte varen inden for 60 dage uden at se prisen. Jeg tjekker de præcise garantivilkår med leverandøren og vender tilbage."},
		Nudge:  []string{"Har leverandøren svaret om garantien?"},
		Resolve: []string{
			"Der er to års garanti på {product}, og du kan returnere varen ubrugt inden for 30 dage – 60 dage med gavebon. Ordrer afgivet før kl. 15 på hverdage sendes fra lageret samme dag.",
			"Du får to års garanti på {product} fra købsdatoen, og den almindelige returret på 30 dage gælder. Tilføjer du en gavebon ved kassen, er returfristen 60 dage, og prisen vises ikke.",
		},
		Reopen:   []string{"Jeg bestilte i går – kan jeg stadig tilføje en gavebon?"},
		Reopened: []string{"Ja – jeg har tilføjet en gavebon til din ordre. Den ligger i kassen, og prisen vises ikke på følgesedlen."},
		Notes: []string{
			"Garantivilkår bekræftet med leverandøren: to år, dele og arbejdsløn.",
			"Fast kunde med flere tidligere ordrer.",
		},
	},
}
