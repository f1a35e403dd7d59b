package app

// wirePasskeys gives auth the WebAuthn relying party of the public base
// URL (docs/security.md, "Passkeys"). A base URL passkeys cannot use (an
// IP address) leaves them off, with a warning when one was configured;
// the rest of Ombud runs as before.
func (s *System) wirePasskeys() {
	base := s.Config.BaseURL
	if base == "" {
		base = "http://" + s.Config.Addr // the documented default of --base-url
	}
	if err := s.Auth.SetRelyingParty(base); err != nil {
		s.Log.Warn("passkeys are off", "err", err)
		return
	}
	if !s.Auth.PasskeysAvailable() && s.Config.BaseURL != "" {
		s.Log.Warn("passkeys are off: the base URL names the server by an IP address; give it a domain name (localhost works for a local test)", "base_url", s.Config.BaseURL)
	}
}
