package i18n

// signInPart holds the sign-in page's notices (internal/web/agent/pages.go
// and templates/login.html): a wrong password and the rate limit, whose way
// around is a password reset by email.
var signInPart = Part{
	Name: "signin",
	English: []string{
		"email or password is wrong",
		"Too many sign-in attempts. Wait a few minutes and try again, or reset your password by email.",
		"Reset your password by email",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"email or password is wrong": "feil e-postadresse eller passord",
			"Too many sign-in attempts. Wait a few minutes and try again, or reset your password by email.": "For mange innloggingsforsøk. Vent noen minutter og prøv igjen, eller tilbakestill passordet ditt via e-post.",
			"Reset your password by email": "Tilbakestill passordet via e-post",
		},
		"sv": {
			"email or password is wrong": "fel e-postadress eller lösenord",
			"Too many sign-in attempts. Wait a few minutes and try again, or reset your password by email.": "För många inloggningsförsök. Vänta några minuter och försök igen, eller återställ ditt lösenord via e-post.",
			"Reset your password by email": "Återställ lösenordet via e-post",
		},
		"da": {
			"email or password is wrong": "forkert e-mailadresse eller adgangskode",
			"Too many sign-in attempts. Wait a few minutes and try again, or reset your password by email.": "For mange loginforsøg. Vent et par minutter, og prøv igen, eller nulstil din adgangskode via e-mail.",
			"Reset your password by email": "Nulstil adgangskoden via e-mail",
		},
		"sl": {
			"email or password is wrong": "napačen e-poštni naslov ali geslo",
			"Too many sign-in attempts. Wait a few minutes and try again, or reset your password by email.": "Preveč poskusov prijave. Počakajte nekaj minut in poskusite znova ali pa ponastavite geslo po e-pošti.",
			"Reset your password by email": "Ponastavite geslo po e-pošti",
		},
	},
}
