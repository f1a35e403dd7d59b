package ui

import "testing"

// TestSafeNext: a post-sign-in redirect stays on this site. Browsers drop
// tab, CR and LF from URLs and read a backslash as a slash, so "/\t/evil"
// and "/\evil" are "//evil" — another host — by the time they are followed.
func TestSafeNext(t *testing.T) {
	tests := []struct {
		next, want string
	}{
		{"", "/tickets"},
		{"/tickets/12", "/tickets/12"},
		{"/reports?from=2026-01-01&to=2026-01-31", "/reports?from=2026-01-01&to=2026-01-31"},
		{"/tickets/12#comment-3", "/tickets/12#comment-3"},
		{"/customers/%C3%B8", "/customers/%C3%B8"},
		{"/søk", "/søk"},
		{"tickets", "/tickets"},
		{"https://evil.example/", "/tickets"},
		{"javascript:alert(1)", "/tickets"},
		{"//evil.example", "/tickets"},
		{"///evil.example", "/tickets"},
		{"/\\evil.example", "/tickets"},
		{"/\t/evil.example", "/tickets"},
		{"/\n/evil.example", "/tickets"},
		{"/\r/evil.example", "/tickets"},
		{"/ /evil.example", "/tickets"},
		{"/\u00a0/evil.example", "/tickets"},
		{"/\u2028/evil.example", "/tickets"},
		{"/\x00/evil.example", "/tickets"},
		{"/\x7f/evil.example", "/tickets"},
		{"/tickets\\..\\..\\evil", "/tickets"},
		{"/%09/evil.example", "/tickets"},
		{"/%2F/evil.example", "/tickets"},
		{"/%5Cevil.example", "/tickets"},
		{"/%zz", "/tickets"},
		{"/a\xffb", "/tickets"},
	}
	for _, tt := range tests {
		if got := SafeNext(tt.next); got != tt.want {
			t.Errorf("SafeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}
