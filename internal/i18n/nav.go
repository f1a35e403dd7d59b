package i18n

// navPart holds the strings of the header's navigation: the Admin menu
// and the /admin index (the link labels themselves are the pages' titles,
// in other parts).
var navPart = Part{
	Name: "nav",
	English: []string{
		"Main navigation",
		"All settings",
		"Operations",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"Main navigation": "Hovednavigasjon",
			"All settings":    "Alle innstillinger",
			"Operations":      "Drift",
		},
		"sv": {
			"Main navigation": "Huvudnavigering",
			"All settings":    "Alla inställningar",
			"Operations":      "Drift",
		},
		"da": {
			"Main navigation": "Hovednavigation",
			"All settings":    "Alle indstillinger",
			"Operations":      "Drift",
		},
		"sl": {
			"Main navigation": "Glavna navigacija",
			"All settings":    "Vse nastavitve",
			"Operations":      "Delovanje",
		},
	},
}
