package i18n

// EnglishKeys returns every English key of the catalog once (files and
// parts merged), so tests can look for English text left on translated
// pages. It panics if the embedded catalog is broken, as New fails then.
func EnglishKeys() []string {
	c, err := loaded()
	if err != nil {
		panic(err)
	}
	return append([]string(nil), c.keys...)
}

// Translation returns key's text in locale as the catalog holds it (format
// verbs unfilled), and whether the locale has it.
func Translation(locale, key string) (string, bool) {
	c, err := loaded()
	if err != nil {
		panic(err)
	}
	s, ok := c.tables[locale][key]
	return s, ok
}
