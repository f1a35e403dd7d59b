package demo

// Swedish demo conversations (see lines in content.go). A product is
// named as "varan ({product})" or without an article, since its gender
// differs from product to product.

var frameSV = frame{
	Greet:         []string{"Hej {first}!", "Hej {first},"},
	Sign:          []string{"Vänliga hälsningar\n{agent}", "Med vänlig hälsning\n{agent}\nKundtjänst"},
	CustomerGreet: []string{"Hej!", "Hej,"},
	CustomerSign:  []string{"Mvh\n{name}", "Hälsningar\n{name}"},
	Phone:         "Telefonsamtal med {name}. Med kundens egna ord:",
}

var linesSV = map[string]lines{
	"order_late": {
		Subject: []string{"Var är order {order}?", "Order {order} har fortfarande inte levererats"},
		Opening: []string{
			"Jag beställde {product} för tio dagar sedan (order {order}) och spårningen har stått still sedan måndag. Kan ni ta reda på vad som händer?",
			"Order {order} skulle ha kommit i fredags, men ingenting har dykt upp. Spårningsnumret {tracking} visar bara ”under transport”, och jag behöver varan ({product}) före helgen.",
		},
		Ask: []string{
			"Ursäkta väntan. Order {order} lämnade vårt lager i tid, så jag har gjort en efterlysning hos fraktbolaget för paket {tracking}. Kan du under tiden titta i brevlådan och höra med grannarna om det har lämnats en avisering?",
			"Tack för att du hör av dig. Fraktbolaget visar paket {tracking} på sorteringsterminalen utan någon leveransskanning. Kan du bekräfta att leveransadressen på order {order} fortfarande stämmer, även lägenhetsnumret?",
		},
		Answer: []string{"Adressen på ordern stämmer, och det finns ingen avisering i brevlådan eller hos grannarna."},
		Update: []string{"Fraktbolaget har svarat: paket {tracking} skickades till fel terminal och dirigeras nu om. Jag håller koll och hör av mig igen om det inte har rört sig till i morgon."},
		Nudge:  []string{"Nu har det gått två dagar och spårningen för {tracking} visar fortfarande samma sak."},
		Resolve: []string{
			"Fraktbolaget hittar inte paket {tracking}, så jag har skickat {product} till dig igen med express på vår bekostnad; det nya spårningsnumret kommer via mejl i dag. Om det första paketet ändå dyker upp kan du bara vägra ta emot det, så kommer det tillbaka till oss.",
			"Goda nyheter: fraktbolaget hittade paket {tracking} på sin terminal, och det är nu ute för leverans. Som en ursäkt för förseningen har jag återbetalat fraktkostnaden för order {order}.",
		},
		Reopen:   []string{"Spårningen säger nu ”levererat”, men ingenting har kommit hit och ingen har kvitterat paketet."},
		Reopened: []string{"Jag beklagar, det ska inte hända. Jag har gjort en reklamation till fraktbolaget för utebliven leverans och återbetalat hela order {order}; beloppet syns på ditt kontoutdrag inom 3–5 bankdagar."},
		Notes: []string{
			"Efterlysning gjord hos fraktbolaget för {tracking}; de svarar inom 24 timmar.",
			"Flera paket via samma terminal är försenade den här veckan – meddelat logistik.",
		},
	},
	"damaged_item": {
		Subject: []string{"Skadad vara i order {order}", "Order {order} kom trasig"},
		Opening: []string{
			"Order {order} kom i dag, och det går en spricka rakt igenom varan ({product}). Kartongen såg hel ut utanpå. Jag vill gärna ha en ersättningsvara.",
			"Jag har precis packat upp order {order}: varan ({product}) är skadad och går inte att använda. Vad händer nu?",
		},
		Ask: []string{
			"Vad tråkigt att varan kom så. Kan du skicka ett par bilder på skadan och på kartongen? Då ordnar jag en ersättning direkt.",
			"Så ska den inte komma fram – förlåt. För att jag ska kunna anmäla det till fraktbolaget: kan du svara med en bild på skadan och på fraktsedeln?",
		},
		Answer: []string{"Bilder bifogade. Skadan sitter på vänster sida, och kartongen har en buckla i samma hörn."},
		Update: []string{"Tack för bilderna. Jag har anmält skadan till fraktbolaget och reserverat en ny vara ({product}) åt dig; den skickas så snart lagret har bekräftat saldot."},
		Nudge:  []string{"Har ersättningen skickats än? Jag har inte fått något mejl om leveransen."},
		Resolve: []string{
			"En ny vara ({product}) är på väg till dig, och du får spårning via mejl. Du behöver inte skicka tillbaka den skadade – lämna den gärna till återvinning.",
			"Jag har skickat en ersättning ({product}) till dig med en förbetald returetikett i kartongen. Använd den för att skicka tillbaka den skadade varan inom 30 dagar; det kostar dig ingenting.",
		},
		Reopen:   []string{"Ersättningen kom i dag, men den har en annan färg än den jag beställde."},
		Reopened: []string{"Du har rätt, lagret plockade fel färg. Jag har skickat rätt färg med express – den andra kan du behålla eller ge bort, som det passar dig."},
		Notes: []string{
			"Tredje skadade paketet från det här lagret den här veckan – flaggat till logistik.",
			"Skadan anmäld till fraktbolaget för order {order}; ersättningskrav inskickat.",
		},
	},
	"return_refund": {
		Subject: []string{"Retur av order {order}", "Retur: {product}"},
		Opening: []string{
			"Jag vill returnera order {order}. Varan ({product}) är oanvänd och ligger i originalkartongen – den var helt enkelt inte som jag hade tänkt mig. Hur skickar jag tillbaka den?",
			"Jag vill skicka tillbaka varan från order {order} ({product}, {amount}); den passar inte mig. Kan jag få pengarna tillbaka?",
		},
		Ask: []string{
			"Självklart – du är med god marginal inom returrätten på 30 dagar. Jag har mejlat dig en förbetald returetikett; sätt den på kartongen och lämna paketet hos valfritt ombud. Säg gärna till när det är skickat.",
			"Inga problem. Jag har registrerat en retur av order {order} och mejlat dig en förbetald etikett. Lämna paketet hos ett ombud och svara här när det är skickat, så håller jag utkik efter det.",
		},
		Direct: []string{"Självklart – du är inom returrätten på 30 dagar. Jag har mejlat dig en förbetald returetikett för order {order}; när varan ({product}) är tillbaka på vårt lager återbetalas {amount} automatiskt till ditt kort."},
		Answer: []string{"Tack för etiketten. Paketet lämnades hos ombudet i morse."},
		Update: []string{"Tack. Spårningen visar att paketet är på väg till vårt lager. Återbetalningen görs så snart det är inregistrerat, oftast inom två bankdagar efter ankomst."},
		Nudge:  []string{"Spårningen säger att paketet kom fram till ert lager i tisdags. När får jag pengarna?"},
		Resolve: []string{
			"Din retur är inregistrerad och jag har återbetalat {amount} till kortet du betalade med. Beroende på din bank syns det inom 3–5 bankdagar.",
			"Klart: varan ({product}) är tillbaka hos oss, och återbetalningen på {amount} för order {order} är gjord. Du får en bekräftelse via mejl också.",
		},
		Reopen:   []string{"Återbetalningen har kommit, tack – men frakten jag betalade var inte med. Återbetalas inte den också?"},
		Reopened: []string{"Du har rätt: när hela ordern returneras återbetalas även den ursprungliga frakten. Jag har skickat den separat, så den syns som en egen rad på kontoutdraget."},
		Notes: []string{
			"Retur registrerad för {order}; återbetalningen släpps automatiskt vid inregistrering.",
			"Varan kontrollerad på lagret: oanvänd, kan gå tillbaka i lager.",
		},
	},
	"exchange_size": {
		Subject: []string{"Byte till storlek {newsize}", "Fel storlek i order {order}"},
		Opening: []string{
			"Varan från order {order} ({product}, storlek {size}) är för liten. Kan jag byta till storlek {newsize}?",
			"Jag beställde {product} i storlek {size} (order {order}), men den storleken blev för trång. Jag vill hellre ha storlek {newsize}, om ni har den.",
		},
		Ask: []string{
			"Självklart – storlek {newsize} finns i lager och jag har reserverat en åt dig. Jag har mejlat dig en förbetald returetikett; säg till när du har skickat tillbaka storlek {size}.",
			"Det hjälper jag gärna till med. Jag har lagt upp ett byte till storlek {newsize} och mejlat dig en returetikett. När storlek {size} är på väg tillbaka till oss är det bara att svara här.",
		},
		Direct: []string{"Självklart – storlek {newsize} finns i lager. Jag har mejlat dig en förbetald returetikett för storlek {size}; så fort fraktbolaget skannar ditt paket skickar vi storlek {newsize} till dig."},
		Answer: []string{"Tack! Paketet med storlek {size} lämnades hos ombudet i morse."},
		Update: []string{"Tack – jag ser ditt paket i fraktbolagets system. Storlek {newsize} lämnar vårt lager så snart returen har skannats på terminalen."},
		Nudge:  []string{"Spårningen säger att min retur har kommit fram. Har storlek {newsize} skickats?"},
		Resolve: []string{
			"Storlek {newsize} ({product}) är på väg, och du får spårning via mejl i dag. Returen från order {order} är registrerad, så du behöver inte göra något mer.",
			"Bytet är klart: storlek {newsize} skickades i dag, och storlek {size} är inregistrerad på vårt lager.",
		},
		Reopen:   []string{"Storlek {newsize} passar perfekt, tack. Men jag debiterades en returavgift – jag trodde att byten var gratis?"},
		Reopened: []string{"Det är de, och jag ber om ursäkt. Avgiften lades på av misstag, och jag har återbetalat den till ditt kort."},
		Notes: []string{
			"Bytesorder skapad för {order}; storlek {newsize} reserverad i 7 dagar.",
			"Storlek {size} av den här modellen kommer ofta tillbaka som för liten – meddelat inköp.",
		},
	},
	"refund_missing": {
		Subject: []string{"Återbetalning för order {order} har inte kommit", "Väntar fortfarande på min återbetalning"},
		Opening: []string{
			"Jag returnerade order {order} för mer än två veckor sedan, och i ert mejl stod det att återbetalningen på {amount} var på väg. Ingenting har kommit in på mitt konto än.",
			"Ni bekräftade min retur av order {order} förra veckan, men {amount} har fortfarande inte kommit tillbaka till mitt kort. Var är min återbetalning?",
		},
		Ask: []string{
			"Tack för ditt tålamod. Jag ser att återbetalningen på {amount} för order {order} är godkänd. Kan du berätta vilket kort du betalade med, så att jag kan matcha det hos vår betalleverantör?",
			"Ursäkta väntan. För att spåra betalningen behöver jag en uppgift: betalade du med kort, mot faktura eller med en betalapp i mobilen?",
		},
		Answer: []string{"Med kort – Visakortet som slutar på {card}."},
		Update: []string{"Tack. Betalleverantören säger att återbetalningen hölls kvar eftersom din bank har ersatt kortet som slutar på {card}. De skickar den nu till det nya kortet, vilket tar några dagar till."},
		Nudge:  []string{"Nu har det gått fyra dagar och det syns fortfarande ingenting på kontoutdraget."},
		Resolve: []string{
			"Återbetalningen på {amount} för order {order} gick i väg i dag; betalningsreferensen finns i mejlet jag just skickade dig. De flesta banker visar den inom 3–5 bankdagar.",
			"Vår ekonomiavdelning bekräftar att {amount} för order {order} betalades tillbaka till ditt kort den här veckan. Om beloppet inte syns på kontoutdraget senast fredag, skicka en skärmbild så tar vi det med banken.",
		},
		Reopen:   []string{"Min bank säger att återbetalningen skickades tillbaka till er eftersom referensen inte stämde med mitt konto."},
		Reopened: []string{"Tack för att du kollade med banken. Jag har makulerat den första återbetalningen och skickat {amount} igen som banköverföring; den här gången följer vi den från vårt håll, och jag bekräftar när den har gått igenom."},
		Notes: []string{
			"Återbetalning godkänd på returdagen; fastnat hos betalleverantören.",
			"Ekonomi bekräftar att en utbetalningsomgång misslyckades för flera återbetalningar förra veckan.",
		},
	},
	"double_charge": {
		Subject: []string{"Dragen två gånger för order {order}", "Dubbel betalning för en order"},
		Opening: []string{
			"Jag har blivit dragen {amount} två gånger för order {order} – båda betalningarna syns på kortutdraget samma dag. Återbetala en av dem, tack.",
			"Min bank visar två likadana betalningar på {amount} för en och samma order ({order}). Jag beställde bara en gång.",
		},
		Ask: []string{
			"Förlåt för det. Ibland är den ena bara en reservation som försvinner av sig själv. Kan du kolla om båda betalningarna står som genomförda, eller om den ena står som reserverad?",
			"Tack för att du säger till. Innan jag återbetalar något: står båda betalningarna på {amount} som genomförda på kontoutdraget, eller är den ena fortfarande reserverad?",
		},
		Answer: []string{"Båda är genomförda, inte reserverade – pengarna har dragits från mitt konto två gånger."},
		Update: []string{"Tack. Jag kan bekräfta att den andra betalningen drogs av misstag när vår betalsida fick en timeout. Jag har bett ekonomi att återbetala den och bekräftar när det är gjort."},
		Nudge:  []string{"Vet du ungefär hur lång tid återbetalningen tar?"},
		Resolve: []string{
			"Den dubbla betalningen på {amount} för order {order} har återbetalats till ditt kort i dag. Du ser den inom 3–5 bankdagar – förlåt för besväret.",
			"Jag har återbetalat den andra dragningen på {amount}. Order {order} är nu betald en gång, som den ska vara, och en bekräftelse är på väg via mejl.",
		},
		Reopen:   []string{"Återbetalningen har kommit, tack – men min bank tog också en avgift för utlandstransaktion för den andra betalningen. Kan ni stå för den också?"},
		Reopened: []string{"Det är rimligt, eftersom avgiften berodde på vårt misstag. Jag har återbetalat ett extra belopp som täcker den; det syns som en egen rad på kontoutdraget."},
		Notes: []string{
			"Logg från betalleverantören: timeout och nytt försök i kassan, dragen två gånger.",
			"Felet med nytt försök i kassan är redan rapporterat till webbteamet.",
		},
	},
	"invoice_copy": {
		Subject: []string{"Kopia av faktura {invoice}", "Företagsfaktura för order {order}"},
		Opening: []string{
			"Kan ni skicka en kopia av faktura {invoice} för order {order}? Jag behöver den till bokföringen och hittar inte det ursprungliga mejlet.",
			"Jag behöver en faktura för order {order} med vårt företagsnamn och momsregistreringsnummer, så att jag kan redovisa utgiften. Faktura {invoice} har bara mitt eget namn.",
		},
		Ask: []string{
			"Det hjälper jag gärna till med. Jag ställer ut fakturan med uppgifterna i din kontoprofil – stämmer företagsnamnet och momsregistreringsnumret där?",
			"Självklart. Innan jag ställer ut faktura {invoice} på nytt: kan du kontrollera att företagsnamnet och momsregistreringsnumret i din kontoprofil är aktuella? Jag använder de uppgifterna.",
		},
		Direct: []string{"Här är faktura {invoice} för order {order} som PDF, utställd med uppgifterna i din kontoprofil. Du kan ladda ner alla dina fakturor under Konto → Ordrar."},
		Answer: []string{"Använd vårt företagsnamn och momsregistreringsnummer som de står i min kontoprofil – jag har precis uppdaterat dem."},
		Update: []string{"Tack. För att byta köpare på en faktura krävs en kreditnota och en ny faktura, så vår ekonomiavdelning tar fram båda; de är klara i morgon."},
		Nudge:  []string{"Jag undrar bara – är den nya fakturan klar? Vi stänger bokföringen på fredag."},
		Resolve: []string{
			"Här bifogas den nya fakturan {invoice} för order {order}, med företagsnamn och momsregistreringsnummer från din profil; den tidigare versionen är krediterad.",
			"Klart – faktura {invoice} är utställd på nytt till ditt företag och bifogad som PDF. Den ersätter den tidigare versionen, som nu är krediterad.",
		},
		Reopen:   []string{"Tack – men momsregistreringsnumret på fakturan saknar landskoden i början. Kan ni lägga till den?"},
		Reopened: []string{"Förlåt, vår fakturamall klippte bort den. Jag har rättat det och bifogat faktura {invoice} igen med hela momsregistreringsnumret."},
		Notes: []string{
			"Fakturan utställd på nytt i faktureringssystemet; kreditnota kopplad till {invoice}.",
			"Kundens momsregistreringsnummer kontrollerat i det offentliga registret – giltigt.",
		},
	},
	"login_problem": {
		Subject: []string{"Kan inte logga in på mitt konto", "Mejlet för att återställa lösenordet kommer inte"},
		Opening: []string{
			"Sedan i morse kan jag inte logga in. Det står att lösenordet är fel, men jag har inte ändrat det, och mejlet för återställning kommer aldrig. Mitt konto är {email}.",
			"Jag har bett om att få återställa lösenordet tre gånger nu och inget mejl har kommit, inte ens i skräpposten. Jag loggar in med {email}.",
		},
		Ask: []string{
			"Ursäkta krånglet. Jag ser att våra mejl till {email} avvisades av mottagarens e-postserver. Kan du kontrollera om din e-postleverantör blockerar meddelanden från nya avsändare?",
			"Tack för att du skriver. Kontot {email} låstes efter flera misslyckade försök, och då stoppas även mejl för återställning. Är mobilnumret på kontot fortfarande ditt, så att jag kan skicka en kod via sms i stället?",
		},
		Answer: []string{"Jag kan inte ändra något på e-postservern själv, men mobilnumret på kontot stämmer – en kod via sms går bra."},
		Update: []string{"Tack. Jag har låst upp kontot och frågat vårt e-postteam varför {email} inte får våra mejl. Jag hör av mig så snart jag vet mer."},
		Nudge:  []string{"Något nytt? Jag kommer fortfarande inte in utan återställningsmejlet."},
		Resolve: []string{
			"Jag har låst upp ditt konto och skickat en ny återställningslänk till {email}, den här gången från en adress som din e-postserver godtar. Länken gäller i en timme – säg till om den inte dyker upp.",
			"Ditt konto {email} är upplåst, och i stället för mejlet har jag skickat en engångskod via sms. Logga in med den och välj ett nytt lösenord; koden gäller i 15 minuter.",
		},
		Reopen:   []string{"Det fungerade i går, men i dag är jag utelåst igen med samma meddelande."},
		Reopened: []string{"Jag hittade orsaken: en gammal app i din telefon försökte med det tidigare lösenordet om och om igen och låste kontot på nytt. Logga ut ur appen och logga in med det nya lösenordet där; jag har låst upp kontot en gång till."},
		Notes: []string{
			"Mejlloggen visar 550 från kundens e-postserver – vår avsändardomän är blockerad.",
			"Kontot låstes efter 10 misslyckade försök från samma enhet.",
		},
	},
	"bug_report": {
		Subject: []string{"Appen kraschar när jag öppnar Mina ordrar", "Orderhistoriken är tom i appen"},
		Opening: []string{
			"Sedan jag uppdaterade appen till version {version} stängs den så fort jag öppnar Mina ordrar. Jag har startat om telefonen och installerat om appen – samma sak.",
			"Efter uppdateringen till {version} visar appen en tom orderhistorik, fast jag har beställt flera gånger. På webbplatsen syns alla mina ordrar.",
		},
		Ask: []string{
			"Tack för rapporten. Vilken telefon och vilken version av operativsystemet använder du? Det hjälper våra utvecklare att återskapa felet.",
			"Förlåt för det, och tack för att du hör av dig. Kan du berätta din telefonmodell och systemversion? Då skickar jag det direkt till utvecklarna.",
		},
		Answer: []string{"Det är en Androidtelefon med Android 14, och appen är uppdaterad."},
		Update: []string{"Tack – utvecklarna har återskapat felet på Android 14 med version {version}, och en rättning testas nu. Till dess visar Mina ordrar på webbplatsen samma information."},
		Nudge:  []string{"Finns det ett datum för rättningen? Jag använder appen varje dag."},
		Resolve: []string{
			"Rättningen finns i version {fixversion}. Uppdatera appen från appbutiken och säg till om det fungerar för dig.",
			"Version {fixversion} finns nu i appbutiken och rättar felet du rapporterade. Tack för den tydliga beskrivningen – den hjälpte utvecklarna att hitta felet snabbt.",
		},
		Reopen:   []string{"Nu fungerar det i telefonen, men surfplattan har fortfarande problemet, och butiken erbjuder inte uppdateringen där än."},
		Reopened: []string{"Det kan ta upp till ett dygn innan butiken har rullat ut en uppdatering till alla enheter. Om surfplattan inte har fått {fixversion} till i morgon hämtar du den nya versionen genom att avinstallera och installera om appen."},
		Notes: []string{
			"Återskapat på Android 14 med {version}; kopplat till kraschrapporten i felhanteringen.",
			"Tolv andra kunder har rapporterat samma sak sedan {version}.",
		},
	},
	"feature_request": {
		Subject: []string{"Förslag till webbutiken", "Önskemål om ny funktion"},
		Opening: []string{
			"Jag handlar mycket hos er, och en sak jag saknar är {feature}. Är det något ni planerar?",
			"Kan ni lägga till {feature}? Det skulle göra det mycket enklare för mig att beställa, och säkert för andra också.",
		},
		Ask: []string{
			"Tack för förslaget! För att skicka det vidare på rätt sätt: hur skulle du använda det, och hur ofta? Konkreta exempel hjälper produktteamet att bestämma sig.",
			"Vilken bra idé, tack. Kan du berätta lite om när du skulle använda det? Produktteamet väger önskemål efter hur folk faktiskt skulle använda dem.",
		},
		Answer: []string{"Jag beställer något nästan varje vecka, och nu måste jag hitta en omväg varje gång. Det skulle spara mig en hel del besvär."},
		Update: []string{"Tack, det är användbart. Jag har lagt in ditt önskemål på vår produkttavla, som teamet går igenom varje månad, och jag hör av mig om vad de bestämmer."},
		Nudge:  []string{"Något nytt från produktteamet?"},
		Resolve: []string{
			"Goda nyheter: produktteamet har lagt in {feature} i planen för nästa kvartal. Jag har kopplat ditt önskemål dit, så du får ett mejl när det finns på plats.",
			"Jag har skickat ditt förslag ({feature}) vidare till produktteamet. Det är inte planerat just nu, men önskemålen ses över varje kvartal, och ditt finns registrerat där.",
		},
		Reopen:   []string{"Tack. Kan andra kunder rösta på det någonstans också?"},
		Reopened: []string{"Inte offentligt än, men alla kunder som ber om det läggs till samma önskemål, vilket höjer dess prioritet. Tipsa gärna andra om att skriva till oss."},
		Notes: []string{
			"Registrerat på produkttavlan; 23 önskemål om detta hittills.",
			"Produktteamet går igenom tavlan första måndagen varje månad.",
		},
	},
	"complaint": {
		Subject: []string{"Klagomål på order {order}", "Mycket besviken på er service"},
		Opening: []string{
			"Jag är mycket missnöjd. Order {order} kom sent och var inte komplett, och i er chatt fick jag vänta en timme. Jag betalade {amount} och förväntade mig bättre.",
			"Det här är tredje gången jag skriver om order {order}, och fortfarande har ingen löst det. Jag förväntar mig svar från någon som faktiskt kan fatta beslut.",
		},
		Ask: []string{
			"Jag ber om ursäkt – du skulle inte ha behövt jaga oss. Jag har läst hela historiken för order {order} och tar hand om ditt ärende själv från och med nu. Vad skulle göra det här bra igen för dig: en återbetalning eller en ersättning skickad med express?",
			"Tack för ditt tålamod, och förlåt för hur det här har gått. Jag har tagit över ditt ärende personligen. Vill du helst få ordern återbetald, eller en ny leverans med express på vår bekostnad?",
		},
		Answer: []string{"En återbetalning, tack. Jag vill inte vänta på ännu en leverans."},
		Update: []string{"Uppfattat. Jag har begärt full återbetalning av {amount}; för ett sådant belopp måste en chef godkänna den, och jag bekräftar så snart det är gjort, senast i morgon."},
		Nudge:  []string{"Är det godkänt? Jag vill gärna få det här avslutat."},
		Resolve: []string{
			"Jag har återbetalat hela beloppet på {amount} för order {order} och lagt till en kupong för fri frakt på din nästa order som en ursäkt. Jag har också delat ditt ärende med teamet, så att det inte händer någon annan.",
			"Du har rätt, och jag ber om ursäkt. Jag har återbetalat {amount} för order {order} och noterat på ditt konto att framtida ärenden går direkt till en erfaren handläggare.",
		},
		Reopen:   []string{"Återbetalningen har kommit, tack. Bara så ni vet: jag fick en enkät om jag var nöjd innan något av det här var ordnat."},
		Reopened: []string{"Tack för att du säger till – den enkäten borde ha väntat tills ditt ärende var löst. Jag har skickat det vidare så att tidpunkten rättas, och din återkoppling är noterad i ärendet."},
		Notes: []string{
			"Eskalerat: två tidigare ärenden om {order} stängdes utan lösning.",
			"Ta med i QA-granskningen – överlämningen mellan skiften brast i det här ärendet.",
		},
	},
	"gdpr_request": {
		Subject: []string{"Begäran om kopia av mina personuppgifter", "Begäran om registerutdrag (GDPR)"},
		Opening: []string{
			"Enligt dataskyddsförordningen (GDPR) vill jag ha en kopia av alla personuppgifter ni har om mig. Mitt konto är {email}.",
			"Skicka mig en översikt över vilka personuppgifter ni lagrar om mig och vad ni använder dem till. Jag är registrerad med {email}.",
		},
		Ask: []string{
			"Tack för din begäran. För att skydda dina uppgifter måste vi först bekräfta att det är du: logga in och bekräfta begäran under Konto → Integritet.",
			"Vi har registrerat din begäran. Innan vi skickar något behöver du bekräfta den under Konto → Integritet när du är inloggad som {email} – så vet vi att begäran kommer från dig.",
		},
		Answer: []string{"Jag har bekräftat begäran i mitt konto nu."},
		Update: []string{"Tack – begäran är bekräftad. Exporten sammanställs från webbutiken, nyhetsbrevet och kundtjänstsystemet, och du får den med god marginal inom de 30 dagar som lagen ger."},
		Nudge:  []string{"Jag undrar bara hur det går med exporten av mina uppgifter."},
		Resolve: []string{
			"Exporten av dina uppgifter är klar: det finns en nedladdningslänk i mejlet vi just skickade till {email}, giltig i sju dagar. Den omfattar kontouppgifter, ordrar, inställningar för nyhetsbrev och dina meddelanden till oss.",
			"Jag har skickat översikten över dina personuppgifter till {email}, med en förklaring av vad varje del används till och hur länge vi sparar den. Hör av dig om du vill att något rättas eller raderas.",
		},
		Reopen:   []string{"Tack. Kan ni också radera mina uppgifter för nyhetsbrevet och mina gamla ordrar?"},
		Reopened: []string{"Jag har avregistrerat dig från nyhetsbrevet och raderat uppgifterna som hörde till. Ordrar måste vi spara så länge bokföringsreglerna kräver; allt som är äldre än så är nu raderat, och resten raderas när tiden är inne."},
		Notes: []string{
			"Identiteten bekräftad via kontot. Lagstadgad frist: 30 dagar från begäran.",
			"Export sammanställd från webbutik, nyhetsbrev och kundtjänst.",
		},
	},
	"membership_cancel": {
		Subject: []string{"Säg upp mitt {plan}-medlemskap", "Hur avslutar jag mitt {plan}-medlemskap?"},
		Opening: []string{
			"Säg upp mitt {plan}-medlemskap från slutet av den här månaden, tack. Jag hittar inte alternativet i kontoinställningarna.",
			"Jag använder inte mitt {plan}-medlemskap tillräckligt längre och vill avsluta det. Hur gör jag det?",
		},
		Ask: []string{
			"Det kan jag hjälpa till med. Vill du avsluta helt, eller byta till det kostnadsfria medlemskapet så att du behåller orderhistoriken och önskelistorna?",
			"Självklart. Innan jag säger upp: ska jag avsluta det helt, eller flytta dig till det kostnadsfria medlemskapet, som sparar dina listor?",
		},
		Answer: []string{"Det går bra att avsluta helt, tack. Jag behöver inte de sparade listorna."},
		Update: []string{"Tack. Jag har lagt in uppsägningen till slutet av din nuvarande period, så du behåller {plan}-förmånerna till dess. En bekräftelse är på väg via mejl."},
		Nudge:  []string{"Jag har inte fått bekräftelsemejlet än – är uppsägningen registrerad?"},
		Resolve: []string{
			"Klart – ditt {plan}-medlemskap upphör sista dagen i den här perioden, och du debiteras inte igen. Bekräftelsen ligger i din inkorg. Får jag fråga varför du slutar? Det hjälper oss att bli bättre.",
			"Ditt {plan}-medlemskap är uppsagt, och inga fler betalningar dras. Du behåller förmånerna perioden ut, som du har betalat för.",
		},
		Reopen:   []string{"Tack. Om det är till nytta: det var mest priset."},
		Reopened: []string{"Tack, det är bra att veta – jag har skickat det vidare till teamet som sätter priserna. Du är alltid välkommen tillbaka."},
		Notes: []string{
			"Orsak till uppsägning: pris. Erbjöd två månader till halva priset; tackade nej.",
			"Uppsägning inlagd i faktureringssystemet, gäller från periodens slut.",
		},
	},
	"product_question": {
		Subject: []string{"Fråga om {product}", "Innan jag köper: garanti och retur"},
		Opening: []string{
			"Jag funderar på att köpa {product}. Hur lång är garantin, och kan jag returnera varan om den inte passar mig?",
			"Innan jag beställer {product} vill jag veta vilken garanti varan har och om jag kan skicka tillbaka den om den inte är rätt för mig.",
		},
		Ask: []string{
			"Det hjälper jag gärna till med. Är det till dig själv eller en present? Returreglerna är lite annorlunda med presentkvitto.",
			"Bra frågor! En sak först: köper du varan till dig själv eller som present? Med presentkvitto är returtiden längre.",
		},
		Answer: []string{"Det är en present till min syster på hennes födelsedag."},
		Update: []string{"Tack! Med presentkvitto kan din syster byta varan själv inom 60 dagar, utan att se priset. Jag kontrollerar de exakta garantivillkoren med leverantören och återkommer."},
		Nudge:  []string{"Har leverantören svarat om garantin?"},
		Resolve: []string{
			"Det är två års garanti på {product}, och du kan returnera varan oanvänd inom 30 dagar – 60 dagar med presentkvitto. Ordrar som läggs före kl. 15 på vardagar skickas från lagret samma dag.",
			"Du får två års garanti på {product} från inköpsdagen, och den vanliga returrätten på 30 dagar gäller. Lägger du till ett presentkvitto i kassan är returtiden 60 dagar, och priset syns inte.",
		},
		Reopen:   []string{"Jag beställde i går – kan jag fortfarande lägga till ett presentkvitto?"},
		Reopened: []string{"Ja – jag har lagt till ett presentkvitto på din order. Det ligger i kartongen, och priset syns inte på följesedeln."},
		Notes: []string{
			"Garantivillkor bekräftade med leverantören: två år, delar och arbete.",
			"Återkommande kund med flera tidigare ordrar.",
		},
	},
}
