package i18n

// adminPart holds the strings of the administration pages.
var adminPart = Part{
	Name:    "admin",
	English: []string{},
	Translations: map[string]map[string]string{
		"nb": {},
		"sv": {},
		"da": {},
		"sl": {},
	},
}
