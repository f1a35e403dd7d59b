package i18n

// gapsPart holds strings found untranslated by the web package's
// TestEveryPageInTheAgentsLanguage and TestStaticJSHasNoEnglish: the live
// notices and dialogs of the agent UI's scripts (rendered into layout.html's
// #ui-strings) and the rest of the gaps that test finds.
var gapsPart = Part{
	Name: "gaps",
	English: []string{
		"Also here: %s.",
		"%s is typing a reply",
		"%s is viewing",
		"New message on this ticket: it is shown above. Check it before you send your reply.",
		"New tickets arrived.",
		"Show them",
		"Replace the text in the composer with the macro's text?",
		"None (unencrypted)",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"None (unencrypted)":   "Ingen (ukryptert)",
			"Also here: %s.":       "Også her: %s.",
			"%s is typing a reply": "%s skriver et svar",
			"%s is viewing":        "%s ser på saken",
			"New message on this ticket: it is shown above. Check it before you send your reply.": "Ny melding i denne saken: den vises ovenfor. Les den før du sender svaret ditt.",
			"New tickets arrived.": "Nye saker har kommet inn.",
			"Show them":            "Vis dem",
			"Replace the text in the composer with the macro's text?": "Erstatte teksten i skrivefeltet med makroens tekst?",
		},
		"sv": {
			"None (unencrypted)":   "Ingen (okrypterad)",
			"Also here: %s.":       "Också här: %s.",
			"%s is typing a reply": "%s skriver ett svar",
			"%s is viewing":        "%s tittar på ärendet",
			"New message on this ticket: it is shown above. Check it before you send your reply.": "Nytt meddelande i ärendet: det visas ovan. Läs det innan du skickar ditt svar.",
			"New tickets arrived.": "Nya ärenden har kommit in.",
			"Show them":            "Visa dem",
			"Replace the text in the composer with the macro's text?": "Ersätta texten i skrivfältet med makrots text?",
		},
		"da": {
			"None (unencrypted)":   "Ingen (ukrypteret)",
			"Also here: %s.":       "Også her: %s.",
			"%s is typing a reply": "%s skriver et svar",
			"%s is viewing":        "%s ser på sagen",
			"New message on this ticket: it is shown above. Check it before you send your reply.": "Ny besked i sagen: den vises ovenfor. Læs den, før du sender dit svar.",
			"New tickets arrived.": "Nye sager er kommet ind.",
			"Show them":            "Vis dem",
			"Replace the text in the composer with the macro's text?": "Erstat teksten i skrivefeltet med makroens tekst?",
		},
		"sl": {
			"None (unencrypted)":   "Brez (nešifrirano)",
			"Also here: %s.":       "Tukaj so tudi: %s.",
			"%s is typing a reply": "%s piše odgovor",
			"%s is viewing":        "%s si ogleduje zahtevek",
			"New message on this ticket: it is shown above. Check it before you send your reply.": "Novo sporočilo v tem zahtevku: prikazano je zgoraj. Preberite ga, preden pošljete odgovor.",
			"New tickets arrived.": "Prispeli so novi zahtevki.",
			"Show them":            "Prikaži jih",
			"Replace the text in the composer with the macro's text?": "Ali želite besedilo v urejevalniku zamenjati z besedilom makra?",
		},
	},
}
