package automation

// PublicAddr is publicAddr for the external tests.
var PublicAddr = publicAddr
