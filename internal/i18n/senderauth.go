package i18n

// senderAuthPart holds the warnings on inbound mail whose sender could not
// be verified (DKIM, SPF, DMARC): on the ticket, the original email and the
// mail log.
var senderAuthPart = Part{
	Name: "senderauth",
	English: []string{
		"Unverified sender",
		"Ombud could not verify that this email really comes from %s (%s). It may be forged: check with the sender another way before acting on it.",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"Unverified sender": "Ubekreftet avsender",
			"Ombud could not verify that this email really comes from %s (%s). It may be forged: check with the sender another way before acting on it.": "Ombud kunne ikke bekrefte at denne e-posten virkelig kommer fra %s (%s). Den kan være forfalsket: sjekk med avsenderen på en annen måte før du handler på den.",
		},
		"sv": {
			"Unverified sender": "Overifierad avsändare",
			"Ombud could not verify that this email really comes from %s (%s). It may be forged: check with the sender another way before acting on it.": "Ombud kunde inte bekräfta att det här mejlet verkligen kommer från %s (%s). Det kan vara förfalskat: kontrollera med avsändaren på annat sätt innan du agerar på det.",
		},
		"da": {
			"Unverified sender": "Ubekræftet afsender",
			"Ombud could not verify that this email really comes from %s (%s). It may be forged: check with the sender another way before acting on it.": "Ombud kunne ikke bekræfte, at denne e-mail virkelig kommer fra %s (%s). Den kan være forfalsket: tjek med afsenderen på en anden måde, før du handler på den.",
		},
		"sl": {
			"Unverified sender": "Nepreverjen pošiljatelj",
			"Ombud could not verify that this email really comes from %s (%s). It may be forged: check with the sender another way before acting on it.": "Ombud ni mogel preveriti, da to e-sporočilo res prihaja od %s (%s). Lahko je ponarejeno: preden ukrepate, pri pošiljatelju preverite na drug način.",
		},
	},
}
