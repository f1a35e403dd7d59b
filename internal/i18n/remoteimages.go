package i18n

// remoteImagesPart holds the strings of the notice that a message's remote
// images are hidden (internal/web/agent/remoteimages.go).
var remoteImagesPart = Part{
	Name: "remoteimages",
	English: []string{
		"Remote images are hidden to protect your privacy: loading them can tell the sender that, and when, you read this message.",
		"Show images",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"Remote images are hidden to protect your privacy: loading them can tell the sender that, and when, you read this message.": "Eksterne bilder er skjult for å verne personvernet ditt: når de lastes, kan avsenderen få vite at og når du leste meldingen.",
			"Show images": "Vis bilder",
		},
		"sv": {
			"Remote images are hidden to protect your privacy: loading them can tell the sender that, and when, you read this message.": "Externa bilder är dolda för att skydda din integritet: om de laddas kan avsändaren få veta att och när du läste meddelandet.",
			"Show images": "Visa bilder",
		},
		"da": {
			"Remote images are hidden to protect your privacy: loading them can tell the sender that, and when, you read this message.": "Eksterne billeder er skjult for at beskytte dit privatliv: når de hentes, kan afsenderen se, at og hvornår du læste beskeden.",
			"Show images": "Vis billeder",
		},
		"sl": {
			"Remote images are hidden to protect your privacy: loading them can tell the sender that, and when, you read this message.": "Oddaljene slike so skrite zaradi varstva vaše zasebnosti: ko se naložijo, lahko pošiljatelj izve, da in kdaj ste prebrali to sporočilo.",
			"Show images": "Prikaži slike",
		},
	},
}
