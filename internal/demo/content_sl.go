package demo

// Slovenian demo conversations (see lines in content.go). Agents write in
// the first person plural and address the customer formally; customers'
// texts avoid past participles and adjectives about themselves, which
// would need the writer's gender. A product name stays in the nominative,
// in brackets or after "izdelek", since its case endings differ.

var frameSL = frame{
	Greet:         []string{"Pozdravljeni, {first}!", "Dober dan, {first}!"},
	Sign:          []string{"Lep pozdrav,\n{agent}", "Lep pozdrav,\n{agent}\nPodpora strankam"},
	CustomerGreet: []string{"Pozdravljeni,", "Dober dan,"},
	CustomerSign:  []string{"Lep pozdrav,\n{name}", "Hvala in lep pozdrav,\n{name}"},
	Phone:         "Telefonski klic: {name}. Stranka je povedala:",
}

var linesSL = map[string]lines{
	"order_late": {
		Subject: []string{"Kje je naročilo {order}?", "Naročilo {order} še vedno ni dostavljeno"},
		Opening: []string{
			"Naročilo {order} ({product}) je bilo oddano pred desetimi dnevi, sledenje pa se od ponedeljka ni premaknilo. Lahko preverite, kaj se dogaja?",
			"Naročilo {order} bi moralo prispeti prejšnji petek, a ga še ni. Sledilna številka {tracking} kaže samo »na poti«, izdelek ({product}) pa potrebujem pred vikendom.",
		},
		Ask: []string{
			"Opravičujemo se za čakanje. Naročilo {order} je pravočasno zapustilo naše skladišče, zato smo pri prevozniku odprli poizvedbo za paket {tracking}. Bi medtem lahko preverili poštni nabiralnik in pri sosedih, ali je bilo puščeno obvestilo o prispeli pošiljki?",
			"Hvala, ker ste nam pisali. Pri prevozniku je paket {tracking} v sortirnem centru, brez skeniranja za dostavo. Lahko potrdite, da je naslov za dostavo pri naročilu {order} še vedno pravilen, vključno s številko stanovanja?",
		},
		Answer: []string{"Naslov na naročilu je pravilen, obvestila pa ni ne v nabiralniku ne pri sosedih."},
		Update: []string{"Prevoznik je odgovoril: paket {tracking} je bil poslan v napačen center in ga zdaj preusmerjajo. Spremljamo ga in vam znova pišemo, če se do jutri ne premakne."},
		Nudge:  []string{"Minila sta dva dneva, sledenje za {tracking} pa še vedno kaže isto."},
		Resolve: []string{
			"Prevoznik paketa {tracking} ne najde, zato smo vam na naše stroške z ekspresno dostavo poslali nov izdelek ({product}); novo sledilno številko prejmete po e-pošti še danes. Če se prvi paket vendarle pojavi, ga preprosto zavrnite in vrnil se bo k nam.",
			"Dobra novica: prevoznik je paket {tracking} našel v svojem centru in je zdaj na poti do vas. Za zamudo se opravičujemo in smo vam vrnili stroške poštnine za naročilo {order}.",
		},
		Reopen:   []string{"Sledenje zdaj kaže »dostavljeno«, vendar sem ni prispelo nič in nihče ni podpisal prevzema."},
		Reopened: []string{"Opravičujemo se, to se ne bi smelo zgoditi. Pri prevozniku smo vložili reklamacijo zaradi manjkajoče dostave in vam v celoti vrnili znesek naročila {order}; na izpisku bo viden v 3–5 delovnih dneh."},
		Notes: []string{
			"Pri prevozniku odprta poizvedba za {tracking}; odgovorijo v 24 urah.",
			"Ta teden zamuja več paketov iz istega centra – obveščena logistika.",
		},
	},
	"damaged_item": {
		Subject: []string{"Poškodovan izdelek v naročilu {order}", "Naročilo {order} je prispelo poškodovano"},
		Opening: []string{
			"Naročilo {order} je prispelo danes, izdelek ({product}) pa ima razpoko čez vso dolžino. Škatla je bila od zunaj videti cela. Prosim za zamenjavo.",
			"Pravkar odpiram naročilo {order}: izdelek ({product}) je poškodovan in neuporaben. Kaj zdaj?",
		},
		Ask: []string{
			"Žal nam je, da je izdelek prispel v takem stanju. Nam lahko pošljete fotografijo ali dve poškodbe in škatle? Potem takoj uredimo zamenjavo.",
			"Tako ne bi smel prispeti – opravičujemo se. Da lahko škodo prijavimo prevozniku, nam prosim v odgovoru pošljite fotografijo poškodbe in nalepke pošiljke.",
		},
		Answer: []string{"Fotografije so priložene. Poškodba je na levi strani, škatla pa ima udrtino v istem kotu."},
		Update: []string{"Hvala za fotografije. Škodo smo prijavili prevozniku in za vas rezervirali nov izdelek ({product}); poslan bo takoj, ko skladišče potrdi zalogo."},
		Nudge:  []string{"Je zamenjava že poslana? Obvestila o pošiljki še ni."},
		Resolve: []string{
			"Nov izdelek ({product}) je na poti k vam, sledilno številko prejmete po e-pošti. Poškodovanega vam ni treba vračati – prosimo, oddajte ga v reciklažo.",
			"Poslali smo vam zamenjavo ({product}), v škatli pa je plačana nalepka za vračilo. Z njo nam poškodovani izdelek vrnite v 30 dneh; za vas je brezplačno.",
		},
		Reopen:   []string{"Zamenjava je prispela danes, vendar je druge barve kot naročena."},
		Reopened: []string{"Imate prav, v skladišču so vzeli napačno barvo. Pravo smo vam poslali z ekspresno dostavo – drugo lahko obdržite ali podarite, kakor vam ustreza."},
		Notes: []string{
			"Že tretji poškodovan paket iz tega skladišča ta teden – sporočeno logistiki.",
			"Škoda za naročilo {order} prijavljena prevozniku; zahtevek za odškodnino oddan.",
		},
	},
	"return_refund": {
		Subject: []string{"Vračilo naročila {order}", "Vračilo: {product}"},
		Opening: []string{
			"Želim vrniti naročilo {order}. Izdelek ({product}) je nerabljen in v originalni škatli – preprosto ni tak, kot je bilo pričakovano. Kako ga pošljem nazaj?",
			"Izdelek iz naročila {order} ({product}, {amount}) želim vrniti, ker mi ne ustreza. Ali lahko dobim denar nazaj?",
		},
		Ask: []string{
			"Seveda – z lahkoto ste znotraj 30-dnevnega roka za vračilo. Po e-pošti smo vam poslali plačano nalepko za vračilo; nalepite jo na škatlo in paket oddajte na katerem koli prevzemnem mestu. Sporočite nam, ko bo na poti.",
			"Ni težav. Vračilo naročila {order} smo zabeležili in vam po e-pošti poslali plačano nalepko. Paket oddajte na prevzemnem mestu in odgovorite tukaj, ko bo poslan, da ga lahko spremljamo.",
		},
		Direct: []string{"Seveda – ste znotraj 30-dnevnega roka za vračilo. Za naročilo {order} smo vam po e-pošti poslali plačano nalepko za vračilo; ko bo izdelek ({product}) spet v našem skladišču, vam bomo {amount} samodejno vrnili na kartico."},
		Answer: []string{"Hvala za nalepko. Paket je bil danes zjutraj oddan na pošti."},
		Update: []string{"Hvala. Sledenje kaže, da je paket na poti v naše skladišče. Denar vrnemo takoj, ko je paket prevzet, običajno v dveh delovnih dneh po prispetju."},
		Nudge:  []string{"Sledenje kaže, da je paket v torek prispel v vaše skladišče. Kdaj bo denar na računu?"},
		Resolve: []string{
			"Vaše vračilo je prevzeto, {amount} pa smo vrnili na kartico, s katero ste plačali. Odvisno od banke bo znesek viden v 3–5 delovnih dneh.",
			"Vse je urejeno: izdelek ({product}) je spet pri nas, vračilo {amount} za naročilo {order} pa je izplačano. Potrditev prejmete tudi po e-pošti.",
		},
		Reopen:   []string{"Denar je prispel, hvala – ampak plačana poštnina ni bila vključena. Ali se tudi ta ne vrne?"},
		Reopened: []string{"Imate prav: ko je vrnjeno celotno naročilo, se vrne tudi prvotna poštnina. Poslali smo jo posebej, zato bo na izpisku vidna v svoji vrstici."},
		Notes: []string{
			"Vračilo za {order} zabeleženo; denar se ob prevzemu sprosti samodejno.",
			"Izdelek pregledan v skladišču: nerabljen, lahko gre nazaj v zalogo.",
		},
	},
	"exchange_size": {
		Subject: []string{"Zamenjava za velikost {newsize}", "Napačna velikost v naročilu {order}"},
		Opening: []string{
			"Izdelek iz naročila {order} ({product}, velikost {size}) je premajhen. Ga lahko zamenjam za velikost {newsize}?",
			"V naročilu {order} je {product} v velikosti {size}, a je ta velikost pretesna. Če jo imate, prosim za velikost {newsize}.",
		},
		Ask: []string{
			"Seveda – velikost {newsize} je na zalogi in eno smo rezervirali za vas. Po e-pošti smo vam poslali plačano nalepko za vračilo; sporočite nam, ko boste velikost {size} poslali nazaj.",
			"Z veseljem pomagamo. Uredili smo zamenjavo za velikost {newsize} in vam po e-pošti poslali nalepko za vračilo. Ko bo velikost {size} na poti nazaj k nam, preprosto odgovorite tukaj.",
		},
		Direct: []string{"Seveda – velikost {newsize} je na zalogi. Po e-pošti smo vam poslali plačano nalepko za vračilo velikosti {size}; takoj ko prevoznik skenira vaš paket, vam pošljemo velikost {newsize}."},
		Answer: []string{"Hvala! Paket z velikostjo {size} je bil danes zjutraj oddan na pošti."},
		Update: []string{"Hvala – vaš paket vidimo v sistemu prevoznika. Velikost {newsize} zapusti naše skladišče takoj, ko je vračilo skenirano v njihovem centru."},
		Nudge:  []string{"Sledenje kaže, da je vračilo prispelo. Je velikost {newsize} že poslana?"},
		Resolve: []string{
			"Velikost {newsize} ({product}) je na poti, sledilno številko prejmete po e-pošti še danes. Vračilo iz naročila {order} je zabeleženo, zato vam ni treba storiti nič več.",
			"Zamenjava je zaključena: velikost {newsize} je bila poslana danes, velikost {size} pa je prevzeta v našem skladišču.",
		},
		Reopen:   []string{"Velikost {newsize} se odlično prilega, hvala. Vendar je bila zaračunana pristojbina za vračilo – ali zamenjave niso brezplačne?"},
		Reopened: []string{"So, in za to se opravičujemo. Pristojbina je bila zaračunana pomotoma in smo vam jo vrnili na kartico."},
		Notes: []string{
			"Ustvarjeno naročilo za zamenjavo za {order}; velikost {newsize} rezervirana za 7 dni.",
			"Velikost {size} tega modela se pogosto vrača kot premajhna – sporočeno nabavi.",
		},
	},
	"refund_missing": {
		Subject: []string{"Vračilo denarja za naročilo {order} ni prispelo", "Še vedno čakam na vračilo denarja"},
		Opening: []string{
			"Naročilo {order} je bilo vrnjeno pred več kot dvema tednoma in v vašem e-sporočilu piše, da je vračilo {amount} na poti. Na moj račun še ni prispelo nič.",
			"Prejšnji teden ste potrdili vračilo naročila {order}, a {amount} še vedno ni na moji kartici. Kje je vračilo denarja?",
		},
		Ask: []string{
			"Hvala za potrpežljivost. Vidimo, da je vračilo {amount} za naročilo {order} odobreno. Nam lahko poveste, s katero kartico ste plačali, da ga poiščemo pri našem ponudniku plačil?",
			"Opravičujemo se za čakanje. Za sledenje plačilu potrebujemo en podatek: ste plačali s kartico, po računu ali z mobilno plačilno aplikacijo?",
		},
		Answer: []string{"S kartico – Visa s končnimi številkami {card}."},
		Update: []string{"Hvala. Ponudnik plačil pravi, da je bilo vračilo zadržano, ker je vaša banka zamenjala kartico s končnimi številkami {card}. Zdaj ga pošiljajo na novo kartico, kar traja še nekaj dni."},
		Nudge:  []string{"Minili so štirje dnevi, na izpisku pa še vedno ni nič."},
		Resolve: []string{
			"Vračilo {amount} za naročilo {order} je bilo poslano danes; sklic plačila je v e-sporočilu, ki smo vam ga pravkar poslali. Večina bank ga prikaže v 3–5 delovnih dneh.",
			"Naša finančna služba potrjuje, da je bilo {amount} za naročilo {order} ta teden vrnjeno na vašo kartico. Če zneska do petka ne bo na izpisku, nam pošljite posnetek zaslona in zadevo uredimo z banko.",
		},
		Reopen:   []string{"Banka pravi, da je bilo vračilo poslano nazaj k vam, ker se sklic ni ujemal z mojim računom."},
		Reopened: []string{"Hvala, da ste preverili pri banki. Prvo vračilo smo preklicali in {amount} poslali znova z bančnim nakazilom; tokrat ga spremljamo pri nas in vam potrdimo, ko bo knjiženo."},
		Notes: []string{
			"Vračilo odobreno na dan vračila; obtičalo pri ponudniku plačil.",
			"Finance potrjujejo, da je prejšnji teden paket izplačil za več vračil spodletel.",
		},
	},
	"double_charge": {
		Subject: []string{"Naročilo {order} bremenjeno dvakrat", "Dvojno plačilo za eno naročilo"},
		Opening: []string{
			"Za naročilo {order} je bila moja kartica dvakrat bremenjena za {amount} – obe plačili sta na izpisku na isti dan. Prosim, vrnite eno od njiju.",
			"Banka kaže dve enaki plačili po {amount} za eno samo naročilo ({order}). Naročilo je bilo oddano samo enkrat.",
		},
		Ask: []string{
			"Opravičujemo se. Včasih je eno od plačil le rezervacija, ki sama izgine. Lahko preverite, ali sta obe plačili označeni kot izvedeni ali je eno označeno kot rezervirano?",
			"Hvala, da ste nam sporočili. Preden karkoli vrnemo: sta na izpisku obe plačili po {amount} izvedeni ali je eno še rezervirano?",
		},
		Answer: []string{"Obe sta izvedeni, ne rezervirani – denar je z mojega računa odšel dvakrat."},
		Update: []string{"Hvala. Potrjujemo, da je bilo drugo plačilo pobrano pomotoma, ko je naši plačilni strani potekel čas. Finance smo prosili za vračilo in vam sporočimo, ko bo urejeno."},
		Nudge:  []string{"Približno koliko časa bo trajalo vračilo?"},
		Resolve: []string{
			"Podvojeno plačilo {amount} za naročilo {order} smo danes vrnili na vašo kartico. Vidno bo v 3–5 delovnih dneh – opravičujemo se za nevšečnosti.",
			"Drugo bremenitev za {amount} smo vrnili. Naročilo {order} je zdaj plačano enkrat, kot mora biti, potrditev pa je na poti po e-pošti.",
		},
		Reopen:   []string{"Vračilo je prispelo, hvala – a banka je za drugo plačilo zaračunala še provizijo za tujo transakcijo. Jo lahko pokrijete tudi vi?"},
		Reopened: []string{"To je pošteno, saj je provizija nastala zaradi naše napake. Vrnili smo dodaten znesek, ki jo pokrije; na izpisku bo viden v svoji vrstici."},
		Notes: []string{
			"Dnevnik ponudnika plačil: potek časa in ponovni poskus na blagajni, bremenjeno dvakrat.",
			"Napaka s ponovnim poskusom na blagajni je že prijavljena spletni ekipi.",
		},
	},
	"invoice_copy": {
		Subject: []string{"Kopija računa {invoice}", "Račun na podjetje za naročilo {order}"},
		Opening: []string{
			"Mi lahko pošljete kopijo računa {invoice} za naročilo {order}? Potrebujem ga za računovodstvo, prvotnega e-sporočila pa ne najdem.",
			"Potrebujem račun za naročilo {order} z imenom našega podjetja in ID za DDV, da lahko strošek uveljavim. Na računu {invoice} je samo moje ime.",
		},
		Ask: []string{
			"Z veseljem pomagamo. Račun izdamo s podatki iz vašega uporabniškega profila – sta ime podjetja in ID za DDV tam posodobljena?",
			"Seveda. Preden račun {invoice} izdamo znova: lahko preverite, ali sta ime podjetja in ID za DDV v vašem uporabniškem profilu aktualna? Uporabili bomo te podatke.",
		},
		Direct: []string{"V prilogi je račun {invoice} za naročilo {order} v obliki PDF, izdan s podatki iz vašega uporabniškega profila. Vse račune lahko prenesete v razdelku Profil → Naročila."},
		Answer: []string{"Prosim, uporabite ime podjetja in ID za DDV, kot sta v mojem uporabniškem profilu – pravkar sta bila posodobljena."},
		Update: []string{"Hvala. Za spremembo kupca na računu sta potrebna dobropis in nov račun, zato ju pripravlja naše računovodstvo; jutri bosta pripravljena."},
		Nudge:  []string{"Samo preverjam – je novi račun že pripravljen? V petek zapiramo knjige."},
		Resolve: []string{
			"V prilogi je novi račun {invoice} za naročilo {order} z imenom podjetja in ID za DDV iz vašega profila; prejšnja različica je stornirana z dobropisom.",
			"Urejeno – račun {invoice} je znova izdan na vaše podjetje in priložen v obliki PDF. Nadomešča prejšnjo različico, ki je zdaj stornirana.",
		},
		Reopen:   []string{"Hvala – a ID za DDV na računu je brez kode države »SI« na začetku. Jo lahko dodate?"},
		Reopened: []string{"Opravičujemo se, naša predloga računa jo je odrezala. Popravili smo jo in znova priložili račun {invoice} s celotno številko."},
		Notes: []string{
			"Račun znova izdan v sistemu za obračun; dobropis povezan z računom {invoice}.",
			"ID za DDV stranke preverjen v javnem registru – veljaven.",
		},
	},
	"login_problem": {
		Subject: []string{"Ne morem se prijaviti v račun", "E-pošta za ponastavitev gesla ne pride"},
		Opening: []string{
			"Od jutra se ne morem prijaviti. Piše, da je geslo napačno, čeprav ni bilo spremenjeno, e-pošta za ponastavitev pa nikoli ne pride. Moj račun je {email}.",
			"Ponastavitev gesla je bila zahtevana že trikrat, a e-pošte ni, niti v mapi z neželeno pošto. Moj e-poštni naslov za prijavo je {email}.",
		},
		Ask: []string{
			"Opravičujemo se za težave. Vidimo, da je prejemnikov poštni strežnik zavrnil naša sporočila na {email}. Lahko preverite, ali vaš ponudnik e-pošte blokira sporočila novih pošiljateljev?",
			"Hvala, ker ste nam pisali. Račun {email} se je zaklenil po več neuspelih poskusih, kar ustavi tudi e-pošto za ponastavitev. Je mobilna številka na računu še vedno vaša, da vam lahko namesto tega kodo pošljemo po SMS?",
		},
		Answer: []string{"Na poštnem strežniku ni v moji moči karkoli spremeniti, mobilna številka na računu pa je pravilna – koda po SMS je v redu."},
		Update: []string{"Hvala. Račun smo odklenili in našo e-poštno ekipo vprašali, zakaj na {email} ne prejemate naših sporočil. Oglasimo se takoj, ko bomo vedeli več."},
		Nudge:  []string{"Kaj novega? Brez e-pošte za ponastavitev se še vedno ne morem prijaviti."},
		Resolve: []string{
			"Vaš račun smo odklenili in na {email} poslali novo povezavo za ponastavitev, tokrat z naslova, ki ga vaš poštni strežnik sprejme. Povezava velja eno uro – sporočite nam, če ne pride.",
			"Vaš račun {email} je odklenjen, namesto e-pošte pa smo vam po SMS poslali enkratno kodo. Prijavite se z njo in izberite novo geslo; koda velja 15 minut.",
		},
		Reopen:   []string{"Včeraj je delovalo, danes pa je račun spet zaklenjen z enakim sporočilom."},
		Reopened: []string{"Našli smo vzrok: stara aplikacija na vašem telefonu je znova in znova poskušala s prejšnjim geslom in račun spet zaklenila. Odjavite se iz aplikacije in se tam prijavite z novim geslom; račun smo še enkrat odklenili."},
		Notes: []string{
			"Dnevnik pošte kaže 550 s strežnika stranke – naša pošiljateljska domena je blokirana.",
			"Račun zaklenjen po 10 neuspelih poskusih z iste naprave.",
		},
	},
	"bug_report": {
		Subject: []string{"Aplikacija se zapre, ko odprem Moja naročila", "Zgodovina naročil v aplikaciji je prazna"},
		Opening: []string{
			"Od posodobitve aplikacije na različico {version} se ta zapre takoj, ko odprem Moja naročila. Telefon je bil ponovno zagnan in aplikacija znova nameščena – enako.",
			"Po posodobitvi na {version} aplikacija kaže prazno zgodovino naročil, čeprav je bilo oddanih že več naročil. Na spletni strani so vsa naročila vidna.",
		},
		Ask: []string{
			"Hvala za prijavo. Kateri telefon in katero različico operacijskega sistema uporabljate? To bo razvijalcem pomagalo napako ponoviti.",
			"Opravičujemo se in hvala, da ste nam sporočili. Nam lahko poveste model telefona in različico sistema? Potem podatke takoj posredujemo razvijalcem.",
		},
		Answer: []string{"Gre za telefon z Androidom 14, aplikacija pa je posodobljena."},
		Update: []string{"Hvala – razvijalci so napako ponovili na Androidu 14 z različico {version}, popravek pa je v testiranju. Do takrat so isti podatki na voljo v razdelku Moja naročila na spletni strani."},
		Nudge:  []string{"Je za popravek že znan datum? Aplikacijo uporabljam vsak dan."},
		Resolve: []string{
			"Popravek je izšel v različici {fixversion}. Posodobite aplikacijo v trgovini in nam sporočite, ali deluje.",
			"Različica {fixversion} je zdaj v trgovini z aplikacijami in odpravlja težavo, ki ste jo prijavili. Hvala za jasen opis – razvijalcem je pomagal, da so napako hitro našli.",
		},
		Reopen:   []string{"Na telefonu zdaj deluje, tablica pa ima še vedno isto težavo, in trgovina tam posodobitve še ne ponuja."},
		Reopened: []string{"Trgovina lahko potrebuje do en dan, da posodobitev razpošlje na vse naprave. Če tablica do jutri ne dobi različice {fixversion}, jo boste dobili tako, da aplikacijo odstranite in znova namestite."},
		Notes: []string{
			"Ponovljeno na Androidu 14 z {version}; povezano s poročilom o zrušitvi v sledilniku napak.",
			"Od {version} je isto prijavilo še dvanajst strank.",
		},
	},
	"feature_request": {
		Subject: []string{"Predlog za spletno trgovino", "Želja po novi funkciji"},
		Opening: []string{
			"Pri vas pogosto nakupujem in nekaj res pogrešam: {feature}. Ali to načrtujete?",
			"Ali lahko dodate {feature}? Naročanje bi bilo zame veliko lažje, verjetno pa tudi za druge.",
		},
		Ask: []string{
			"Hvala za predlog! Da ga pravilno posredujemo: kako in kako pogosto bi to uporabljali? Resnični primeri produktni ekipi pomagajo pri odločitvi.",
			"To je dobra zamisel, hvala. Nam lahko poveste, kdaj bi to uporabljali? Produktna ekipa želje tehta po tem, kako bi jih ljudje dejansko uporabljali.",
		},
		Answer: []string{"Naročam skoraj vsak teden in zdaj moram to vsakič nekako obiti. Prihranilo bi mi kar nekaj sitnosti."},
		Update: []string{"Hvala, to je koristno. Vašo željo smo dodali na našo produktno tablo, ki jo ekipa pregleda vsak mesec, in vam sporočimo, kaj se odločijo."},
		Nudge:  []string{"Je produktna ekipa že kaj odločila?"},
		Resolve: []string{
			"Dobra novica: produktna ekipa je {feature} uvrstila v načrt za naslednje četrtletje. Vašo željo smo povezali s tem, zato boste prejeli e-sporočilo, ko bo na voljo.",
			"Vaš predlog ({feature}) smo posredovali produktni ekipi. Trenutno ni v načrtu, vendar želje pregledajo vsako četrtletje in vaša je tam zabeležena.",
		},
		Reopen:   []string{"Hvala. Lahko zanj kje glasujejo tudi druge stranke?"},
		Reopened: []string{"Javno še ne, vendar je vsaka stranka, ki to želi, dodana k isti želji, kar ji zviša prednost. Kar povejte drugim, naj nam pišejo."},
		Notes: []string{
			"Zabeleženo na produktni tabli; doslej 23 želja za to.",
			"Produktna ekipa tablo pregleda prvi ponedeljek v mesecu.",
		},
	},
	"complaint": {
		Subject: []string{"Pritožba glede naročila {order}", "Vaša storitev me je zelo razočarala"},
		Opening: []string{
			"To je nesprejemljivo. Naročilo {order} je prispelo pozno in nepopolno, v vašem klepetu pa je čakanje trajalo eno uro. Za {amount} pričakujem več.",
			"To je že tretje sporočilo o naročilu {order}, pa težave še vedno nihče ni rešil. Pričakujem odgovor nekoga, ki lahko dejansko kaj odloči.",
		},
		Ask: []string{
			"Opravičujemo se – ne bi smelo biti treba, da nas priganjate. Prebrali smo celotno zgodovino naročila {order} in vašo zadevo od zdaj naprej vodim osebno. Kaj bi to za vas popravilo: vračilo denarja ali zamenjava z ekspresno dostavo?",
			"Hvala za potrpežljivost in opravičujemo se za potek zadeve. Vašo zadevo zdaj vodim osebno. Želite vračilo denarja za naročilo ali novo dostavo z ekspresno pošto na naše stroške?",
		},
		Answer: []string{"Vračilo denarja, prosim. Na še eno dostavo nočem čakati."},
		Update: []string{"Razumem. Zahtevali smo vračilo celotnega zneska {amount}; tolikšen znesek mora odobriti vodja, potrditev pa vam pošljemo takoj, ko bo odobreno, najpozneje jutri."},
		Nudge:  []string{"Je že odobreno? Želim, da se to zaključi."},
		Resolve: []string{
			"Vrnili smo celoten znesek {amount} za naročilo {order}, v opravičilo pa dodali še kupon za brezplačno dostavo pri naslednjem naročilu. Vašo zadevo smo predstavili tudi ekipi, da se to ne zgodi komu drugemu.",
			"Imate prav in opravičujemo se. Vrnili smo {amount} za naročilo {order} in pri vašem računu zabeležili, da gredo prihodnje zadeve neposredno k izkušenemu svetovalcu.",
		},
		Reopen:   []string{"Denar je prispel, hvala. Le v vednost: anketa o zadovoljstvu je prišla, še preden je bilo karkoli urejeno."},
		Reopened: []string{"Hvala, da ste nam povedali – ta anketa bi morala počakati, da je vaša zadeva rešena. Posredovali smo naprej, da se čas pošiljanja popravi, vaše mnenje pa je zabeleženo pri zadevi."},
		Notes: []string{
			"Eskalirano: dva prejšnja zahtevka glede {order} sta bila zaprta brez rešitve.",
			"Dodaj v QA pregled – predaja med izmenama pri tej zadevi ni delovala.",
		},
	},
	"gdpr_request": {
		Subject: []string{"Zahteva za kopijo mojih osebnih podatkov", "Zahteva za dostop do podatkov (GDPR)"},
		Opening: []string{
			"Na podlagi Splošne uredbe o varstvu podatkov (GDPR) zahtevam kopijo vseh osebnih podatkov, ki jih hranite o meni. Moj račun je {email}.",
			"Prosim, pošljite mi pregled osebnih podatkov, ki jih hranite o meni, in za kaj jih uporabljate. Moj e-poštni naslov pri vas je {email}.",
		},
		Ask: []string{
			"Hvala za vašo zahtevo. Za zaščito vaših podatkov moramo najprej potrditi, da ste to vi: prijavite se in zahtevo potrdite v razdelku Profil → Zasebnost.",
			"Vašo zahtevo smo zabeležili. Preden karkoli pošljemo, jo potrdite v razdelku Profil → Zasebnost, ko ste prijavljeni kot {email} – tako vemo, da zahteva prihaja od vas.",
		},
		Answer: []string{"Zahteva je zdaj potrjena v mojem profilu."},
		Update: []string{"Hvala – zahteva je potrjena. Izvoz pripravljamo iz spletne trgovine, e-novic in sistema za podporo strankam; prejeli ga boste precej pred iztekom 30 dni, ki jih dopušča zakon."},
		Nudge:  []string{"Samo preverjam, kako napreduje izvoz mojih podatkov."},
		Resolve: []string{
			"Izvoz vaših podatkov je pripravljen: povezava za prenos je v e-sporočilu, ki smo ga pravkar poslali na {email}, in velja sedem dni. Obsega podatke računa, naročila, nastavitve e-novic in vaša sporočila nam.",
			"Pregled vaših osebnih podatkov smo poslali na {email}, s pojasnilom, za kaj se uporablja posamezen del in kako dolgo ga hranimo. Sporočite nam, če želite kaj popraviti ali izbrisati.",
		},
		Reopen:   []string{"Hvala. Lahko izbrišete tudi moje podatke za e-novice in stara naročila?"},
		Reopened: []string{"Odjavili smo vas od e-novic in izbrisali povezane podatke. Naročila moramo hraniti, dokler to zahtevajo računovodski predpisi; vse starejše je zdaj izbrisano, preostalo pa bo, ko bo čas za to."},
		Notes: []string{
			"Identiteta potrjena prek računa. Zakonski rok: 30 dni od zahteve.",
			"Izvoz pripravljen iz podatkov spletne trgovine, e-novic in podpore.",
		},
	},
	"membership_cancel": {
		Subject: []string{"Prekinitev članstva {plan}", "Kako prekinem članstvo {plan}?"},
		Opening: []string{
			"Prosim, prekinite moje članstvo {plan} s koncem tega meseca. V nastavitvah računa te možnosti ne najdem.",
			"Članstva {plan} ne uporabljam več dovolj in ga želim prekiniti. Kako to storim?",
		},
		Ask: []string{
			"Pri tem vam lahko pomagamo. Želite članstvo povsem prekiniti ali preiti na brezplačno članstvo, da obdržite zgodovino naročil in sezname želja?",
			"Seveda. Preden ga prekinemo: naj ga povsem ukinemo ali vas prestavimo na brezplačno članstvo, ki ohrani vaše shranjene sezname?",
		},
		Answer: []string{"Popolna prekinitev je v redu, hvala. Shranjenih seznamov ne potrebujem."},
		Update: []string{"Hvala. Prekinitev smo nastavili na konec vašega trenutnega obdobja, zato ugodnosti {plan} ohranite do takrat. Potrditev je na poti po e-pošti."},
		Nudge:  []string{"Potrditve po e-pošti še ni – je prekinitev zabeležena?"},
		Resolve: []string{
			"Urejeno – vaše članstvo {plan} se izteče zadnji dan tega obdobja in ne bomo vas več bremenili. Potrditev je v vašem nabiralniku. Lahko vprašamo, zakaj odhajate? To nam pomaga, da smo boljši.",
			"Vaše članstvo {plan} je prekinjeno in nadaljnjih plačil ne bo. Ugodnosti ohranite do konca obdobja, ki ste ga že plačali.",
		},
		Reopen:   []string{"Hvala. Če je v pomoč: predvsem zaradi cene."},
		Reopened: []string{"Hvala, to je dobro vedeti – posredovali smo ekipi, ki določa cene. Vedno ste dobrodošli nazaj."},
		Notes: []string{
			"Razlog odhoda: cena. Ponujena dva meseca za pol cene; zavrnjeno.",
			"Prekinitev nastavljena v sistemu za obračun, velja s koncem obdobja.",
		},
	},
	"product_question": {
		Subject: []string{"Vprašanje o izdelku: {product}", "Pred nakupom: garancija in vračilo"},
		Opening: []string{
			"Zanima me nakup izdelka ({product}). Kako dolga je garancija in ali ga lahko vrnem, če mi ne ustreza?",
			"Pred naročilom ({product}) me zanima, kakšno garancijo ima izdelek in ali ga lahko vrnem, če ni pravi zame.",
		},
		Ask: []string{
			"Z veseljem pomagamo. Je za vas ali za darilo? Pravila za vračilo so z darilnim računom nekoliko drugačna.",
			"Dobra vprašanja! Najprej nekaj: izdelek kupujete zase ali za darilo? Z darilnim računom je rok za vračilo daljši.",
		},
		Answer: []string{"Gre za darilo za sestrin rojstni dan."},
		Update: []string{"Hvala! Z darilnim računom ga lahko vaša sestra sama zamenja v 60 dneh, ne da bi videla ceno. Točne garancijske pogoje preverjamo pri dobavitelju in se vam oglasimo."},
		Nudge:  []string{"Je dobavitelj že odgovoril glede garancije?"},
		Resolve: []string{
			"Za izdelek ({product}) velja dveletna garancija, nerabljenega pa ga lahko vrnete v 30 dneh – z darilnim računom v 60 dneh. Naročila, oddana ob delavnikih do 15. ure, odpošljemo isti dan.",
			"Izdelek ({product}) ima dveletno garancijo od datuma nakupa, velja pa tudi običajna 30-dnevna pravica do vračila. Če na blagajni dodate darilni račun, je rok za vračilo 60 dni in cena ni prikazana.",
		},
		Reopen:   []string{"Naročilo je bilo oddano včeraj – lahko še dodam darilni račun?"},
		Reopened: []string{"Da – vašemu naročilu smo dodali darilni račun. Priložen bo v škatli, cena pa ne bo prikazana na dobavnici."},
		Notes: []string{
			"Garancijski pogoji potrjeni pri dobavitelju: dve leti, deli in delo.",
			"Stalna stranka z več preteklimi naročili.",
		},
	},
}
