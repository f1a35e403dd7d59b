package i18n

// secretsPart holds the strings about stored credentials: the mailbox
// setting for passwords over unencrypted connections and the rule page's
// note on masked webhook URLs.
var secretsPart = Part{
	Name: "secrets",
	English: []string{
		"Unencrypted connections",
		"Allow passwords over unencrypted connections",
		"Off: the SMTP and IMAP passwords are only sent inside TLS (STARTTLS or TLS), and a server set to “None (unencrypted)” gets no password. Turn on only for a server on a network you trust.",
		"Webhook and chat URLs are credentials: only administrators see and enter them. Managers see them masked and keep one unchanged by leaving its masked value as it is.",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"Unencrypted connections":                      "Ukrypterte forbindelser",
			"Allow passwords over unencrypted connections": "Tillat passord over ukrypterte forbindelser",
			"Off: the SMTP and IMAP passwords are only sent inside TLS (STARTTLS or TLS), and a server set to “None (unencrypted)” gets no password. Turn on only for a server on a network you trust.": "Av: SMTP- og IMAP-passordene sendes bare innenfor TLS (STARTTLS eller TLS), og en server satt til «Ingen (ukryptert)» får ikke noe passord. Slå på bare for en server på et nettverk du stoler på.",
			"Webhook and chat URLs are credentials: only administrators see and enter them. Managers see them masked and keep one unchanged by leaving its masked value as it is.":                      "Webhook- og chat-URL-er er tilgangsnøkler: bare administratorer ser og skriver dem inn. Ledere ser dem maskert og beholder en uendret ved å la den maskerte verdien stå som den er.",
		},
		"sv": {
			"Unencrypted connections":                      "Okrypterade anslutningar",
			"Allow passwords over unencrypted connections": "Tillåt lösenord över okrypterade anslutningar",
			"Off: the SMTP and IMAP passwords are only sent inside TLS (STARTTLS or TLS), and a server set to “None (unencrypted)” gets no password. Turn on only for a server on a network you trust.": "Av: SMTP- och IMAP-lösenorden skickas bara inom TLS (STARTTLS eller TLS), och en server inställd på ”Ingen (okrypterad)” får inget lösenord. Slå på bara för en server i ett nätverk du litar på.",
			"Webhook and chat URLs are credentials: only administrators see and enter them. Managers see them masked and keep one unchanged by leaving its masked value as it is.":                      "Webhook- och chatt-URL:er är inloggningsuppgifter: bara administratörer ser och anger dem. Chefer ser dem maskerade och behåller en oförändrad genom att låta det maskerade värdet stå kvar.",
		},
		"da": {
			"Unencrypted connections":                      "Ukrypterede forbindelser",
			"Allow passwords over unencrypted connections": "Tillad adgangskoder over ukrypterede forbindelser",
			"Off: the SMTP and IMAP passwords are only sent inside TLS (STARTTLS or TLS), and a server set to “None (unencrypted)” gets no password. Turn on only for a server on a network you trust.": "Fra: SMTP- og IMAP-adgangskoderne sendes kun inden for TLS (STARTTLS eller TLS), og en server sat til »Ingen (ukrypteret)« får ingen adgangskode. Slå kun til for en server på et netværk, du stoler på.",
			"Webhook and chat URLs are credentials: only administrators see and enter them. Managers see them masked and keep one unchanged by leaving its masked value as it is.":                      "Webhook- og chat-URL'er er adgangsnøgler: kun administratorer ser og indtaster dem. Ledere ser dem maskeret og bevarer en uændret ved at lade den maskerede værdi stå, som den er.",
		},
		"sl": {
			"Unencrypted connections":                      "Nešifrirane povezave",
			"Allow passwords over unencrypted connections": "Dovoli gesla prek nešifriranih povezav",
			"Off: the SMTP and IMAP passwords are only sent inside TLS (STARTTLS or TLS), and a server set to “None (unencrypted)” gets no password. Turn on only for a server on a network you trust.": "Izklopljeno: gesli za SMTP in IMAP se pošiljata samo znotraj TLS (STARTTLS ali TLS), strežnik z nastavitvijo »Brez (nešifrirano)« pa gesla ne dobi. Vklopite le za strežnik v omrežju, ki mu zaupate.",
			"Webhook and chat URLs are credentials: only administrators see and enter them. Managers see them masked and keep one unchanged by leaving its masked value as it is.":                      "URL-ji za webhooke in klepet so poverilnice: vidijo in vnašajo jih lahko samo skrbniki. Vodje jih vidijo zakrite in jih ohranijo nespremenjene, če zakrito vrednost pustijo takšno, kot je.",
		},
	},
}
