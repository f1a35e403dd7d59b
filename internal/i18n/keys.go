package i18n

// EnglishKeys returns every English key of the catalog once (all parts
// merged), so tests can look for English text left on translated pages.
func EnglishKeys() []string {
	keys, _ := merged()
	return keys
}

// Translation returns key's text in locale as the catalog holds it (format
// verbs unfilled), and whether the locale has it.
func Translation(locale, key string) (string, bool) {
	_, tables := merged()
	s, ok := tables[locale][key]
	return s, ok
}
