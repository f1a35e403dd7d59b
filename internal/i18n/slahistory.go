package i18n

// slaHistoryPart holds the history sentence of an sla_retargeted event: a
// priority change that moved the targets of the SLA clocks still running
// (internal/sla/retarget.go). Each clock reads "First reply 4h → 1h".
var slaHistoryPart = Part{
	Name: "slahistory",
	English: []string{
		"moved the running SLA clocks to the new priority's targets: %s",
		"no target",
	},
	Translations: map[string]map[string]string{
		"nb": {
			"moved the running SLA clocks to the new priority's targets: %s": "flyttet de løpende SLA-klokkene til målene for den nye prioriteten: %s",
			"no target": "intet mål",
		},
		"sv": {
			"moved the running SLA clocks to the new priority's targets: %s": "flyttade de pågående SLA-klockorna till den nya prioritetens mål: %s",
			"no target": "inget mål",
		},
		"da": {
			"moved the running SLA clocks to the new priority's targets: %s": "flyttede de kørende SLA-ure til den nye prioritets mål: %s",
			"no target": "intet mål",
		},
		"sl": {
			"moved the running SLA clocks to the new priority's targets: %s": "je prestavil(a) tekoče ure SLA na cilje nove prednosti: %s",
			"no target": "brez cilja",
		},
	},
}
