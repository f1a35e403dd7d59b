// Package mailtest starts real mail peers for tests: a Dovecot IMAP server
// (Debian's dovecot-imapd) with a throwaway configuration, and an SMTP server
// that records what it is sent. Everything listens on 127.0.0.1 only and is
// stopped when the test ends.
//
// The helpers report failures with t.Fatalf, so call them from the test's own
// goroutine.
package mailtest
