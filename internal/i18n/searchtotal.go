package i18n

// searchTotalPart holds how many tickets a search found, above its
// results; "About" marks an estimate (common words, issue 13).
var searchTotalPart = Part{
	Name: "searchtotal",
	English: []string{
		"1 ticket found",
		"%s tickets found",
		"About %s tickets found",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"1 ticket found":         "1 sak funnet",
			"%s tickets found":       "%s saker funnet",
			"About %s tickets found": "Omtrent %s saker funnet",
		},
		"sv": {
			"1 ticket found":         "1 ärende hittades",
			"%s tickets found":       "%s ärenden hittades",
			"About %s tickets found": "Ungefär %s ärenden hittades",
		},
		"da": {
			"1 ticket found":         "1 sag fundet",
			"%s tickets found":       "%s sager fundet",
			"About %s tickets found": "Omkring %s sager fundet",
		},
		"sl": {
			"1 ticket found":         "Najdena je 1 zadeva",
			"%s tickets found":       "Najdene zadeve: %s",
			"About %s tickets found": "Najdenih je približno %s zadev",
		},
	},
}
