package i18n

// limitsPart holds the messages of refused oversized lists (apperr.TooMany
// for each limit in use, and the customer identities' total), shown beside
// the form field that sent the list.
var limitsPart = Part{
	Name: "limits",
	English: []string{
		"at most 4 items",
		"at most 12 items",
		"at most 20 items",
		"at most 50 items",
		"at most 100 items",
		"at most 200 items",
		"at most 1000 items",
		"at most 50 identities in all (emails, phones and handles)",
		"is not a form that can be read (malformed, or more than 10000 fields)",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"at most 4 items":    "høyst 4 elementer",
			"at most 12 items":   "høyst 12 elementer",
			"at most 20 items":   "høyst 20 elementer",
			"at most 50 items":   "høyst 50 elementer",
			"at most 100 items":  "høyst 100 elementer",
			"at most 200 items":  "høyst 200 elementer",
			"at most 1000 items": "høyst 1000 elementer",
			"at most 50 identities in all (emails, phones and handles)":             "høyst 50 identiteter i alt (e-postadresser, telefonnumre og brukernavn)",
			"is not a form that can be read (malformed, or more than 10000 fields)": "er ikke et skjema som kan leses (feilformet, eller mer enn 10000 felt)",
		},
		"sv": {
			"at most 4 items":    "högst 4 poster",
			"at most 12 items":   "högst 12 poster",
			"at most 20 items":   "högst 20 poster",
			"at most 50 items":   "högst 50 poster",
			"at most 100 items":  "högst 100 poster",
			"at most 200 items":  "högst 200 poster",
			"at most 1000 items": "högst 1000 poster",
			"at most 50 identities in all (emails, phones and handles)":             "högst 50 identiteter totalt (e-postadresser, telefonnummer och användarnamn)",
			"is not a form that can be read (malformed, or more than 10000 fields)": "är inte ett formulär som kan läsas (felformat, eller fler än 10000 fält)",
		},
		"da": {
			"at most 4 items":    "højst 4 elementer",
			"at most 12 items":   "højst 12 elementer",
			"at most 20 items":   "højst 20 elementer",
			"at most 50 items":   "højst 50 elementer",
			"at most 100 items":  "højst 100 elementer",
			"at most 200 items":  "højst 200 elementer",
			"at most 1000 items": "højst 1000 elementer",
			"at most 50 identities in all (emails, phones and handles)":             "højst 50 identiteter i alt (e-mailadresser, telefonnumre og brugernavne)",
			"is not a form that can be read (malformed, or more than 10000 fields)": "er ikke en formular, der kan læses (fejlformet, eller mere end 10000 felter)",
		},
		"sl": {
			"at most 4 items":    "največ 4 elementi",
			"at most 12 items":   "največ 12 elementov",
			"at most 20 items":   "največ 20 elementov",
			"at most 50 items":   "največ 50 elementov",
			"at most 100 items":  "največ 100 elementov",
			"at most 200 items":  "največ 200 elementov",
			"at most 1000 items": "največ 1000 elementov",
			"at most 50 identities in all (emails, phones and handles)":             "največ 50 identitet skupaj (e-poštnih naslovov, telefonskih številk in uporabniških imen)",
			"is not a form that can be read (malformed, or more than 10000 fields)": "ni obrazec, ki ga je mogoče prebrati (napačno oblikovan ali z več kot 10000 polji)",
		},
	},
}
