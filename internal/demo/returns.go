package demo

// currencies are the demo markets' currencies by language.
var currencies = map[string]string{"en": "GBP", "nb": "NOK", "sv": "SEK", "da": "DKK", "sl": "EUR"}

// Price is a demo product's price (whole units) and currency in a
// language's market; ok is false for a product the shop does not sell.
func Price(label, lang string) (amount int, currency string, ok bool) {
	if _, known := currencies[lang]; !known {
		lang = "en"
	}
	for _, p := range products {
		if p.label == label {
			return p.price[lang], currencies[lang], true
		}
	}
	return 0, "", false
}
