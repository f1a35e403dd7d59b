package people

import "strings"

// browserAndSystem names the browser and operating system of a User-Agent
// header for the session list ("Firefox", "Linux"): enough for a person to
// tell their devices apart, not a full parser. Order matters: Edge and
// Opera say Chrome too, Chrome says Safari, and Android says Linux.
func browserAndSystem(ua string) (browser, system string) {
	has := func(s string) bool { return strings.Contains(ua, s) }
	switch {
	case has("Edg/") || has("Edge/"):
		browser = "Edge"
	case has("OPR/") || has("Opera"):
		browser = "Opera"
	case has("Firefox/") || has("FxiOS/"):
		browser = "Firefox"
	case has("Chromium/"):
		browser = "Chromium"
	case has("Chrome/") || has("CriOS/"):
		browser = "Chrome"
	case has("Safari/") && has("Version/"):
		browser = "Safari"
	case strings.HasPrefix(ua, "curl/"):
		browser = "curl"
	}
	switch {
	case has("Windows"):
		system = "Windows"
	case has("iPhone") || has("iPad") || has("iPod"):
		system = "iOS"
	case has("Android"):
		system = "Android"
	case has("CrOS"):
		system = "ChromeOS"
	case has("Mac OS X") || has("Macintosh"):
		system = "macOS"
	case has("Linux") || has("X11"):
		system = "Linux"
	}
	return browser, system
}
