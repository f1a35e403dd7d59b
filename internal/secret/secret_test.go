package secret

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func key(b byte) []byte { return bytes.Repeat([]byte{b}, KeySize) }

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

func TestSealOpenRoundTrip(t *testing.T) {
	box, err := NewBox(key(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, plain string }{
		{"password", "s3cret-smtp"},
		{"url", "https://hooks.slack.com/services/T000/B000/XXXXXXXX"},
		{"unicode", "pässwörd ✓"},
		{"empty stays empty", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := box.Seal("mailboxes.smtp_password", tt.plain)
			if err != nil {
				t.Fatal(err)
			}
			if tt.plain == "" {
				if sealed != "" {
					t.Fatalf("sealed empty = %q, want empty (nothing to hide)", sealed)
				}
				return
			}
			if !IsSealed(sealed) || strings.Contains(sealed, tt.plain) {
				t.Fatalf("sealed = %q: not sealed or holds the plain text", sealed)
			}
			if again, _ := box.Seal("mailboxes.smtp_password", tt.plain); again == sealed {
				t.Fatal("two seals of one value must differ (random nonce)")
			}
			got, err := box.Open("mailboxes.smtp_password", sealed)
			if err != nil || got != tt.plain {
				t.Fatalf("open = %q, %v; want %q", got, err, tt.plain)
			}
			// The purpose is bound to the ciphertext: a value copied into
			// another column does not open there.
			if _, err := box.Open("automation_rules.secret", sealed); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("open under another purpose: %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestOpenRefusesTamperingAndUnknownKeys(t *testing.T) {
	a, _ := NewBox(key(1))
	b, _ := NewBox(key(2))
	sealed, err := a.Seal("p", "hello")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Open("p", sealed); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("open with the wrong key: %v, want ErrUnknownKey", err)
	}
	flipped := []byte(sealed)
	flipped[len(flipped)-3] ^= 0x01
	if _, err := a.Open("p", string(flipped)); err == nil {
		t.Fatal("a changed ciphertext must not open")
	}
	if _, err := a.Open("p", Prefix+"garbage"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("malformed: %v, want ErrCorrupt", err)
	}
}

// TestLegacyPlainText: values stored before encryption existed are read as
// they are (they keep working after an upgrade) and reported as needing a
// seal.
func TestLegacyPlainText(t *testing.T) {
	box, _ := NewBox(key(1))
	got, err := box.Open("p", "old-password")
	if err != nil || got != "old-password" {
		t.Fatalf("open plain = %q, %v", got, err)
	}
	if box.Current("old-password") {
		t.Fatal("a plain value is not sealed with the current key")
	}
	if !box.Current("") {
		t.Fatal("an empty value needs no seal")
	}
}

func TestRotation(t *testing.T) {
	old, _ := NewBox(key(1))
	sealedOld, _ := old.Seal("p", "hook-url")
	// The new key first, the old one still accepted.
	both, err := NewBox(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := both.Open("p", sealedOld); err != nil || got != "hook-url" {
		t.Fatalf("old value with old key as previous: %q, %v", got, err)
	}
	if both.Current(sealedOld) {
		t.Fatal("a value sealed with the previous key is not current")
	}
	resealed, changed, err := both.Reseal("p", sealedOld)
	if err != nil || !changed || !both.Current(resealed) {
		t.Fatalf("reseal = %q, %v, %v", resealed, changed, err)
	}
	if _, changed, _ := both.Reseal("p", resealed); changed {
		t.Fatal("a current value is left alone")
	}
	newOnly, _ := NewBox(key(2))
	if got, err := newOnly.Open("p", resealed); err != nil || got != "hook-url" {
		t.Fatalf("resealed value under the new key alone: %q, %v", got, err)
	}
	if _, err := newOnly.Open("p", sealedOld); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old value without the old key: %v", err)
	}
	if id := KeyID(sealedOld); id != old.CurrentID() || id == both.CurrentID() {
		t.Fatalf("KeyID = %q, old %q new %q", id, old.CurrentID(), both.CurrentID())
	}
}

func TestParseKeys(t *testing.T) {
	k1, k2 := key(1), key(2)
	tests := []struct {
		name string
		in   string
		want [][]byte
		err  bool
	}{
		{"base64", b64(k1), [][]byte{k1}, false},
		{"raw url base64", base64.RawURLEncoding.EncodeToString(k1), [][]byte{k1}, false},
		{"hex", hex.EncodeToString(k1), [][]byte{k1}, false},
		{"current and previous", b64(k2) + ", " + b64(k1), [][]byte{k2, k1}, false},
		{"lines with a comment", "# ombud\n" + b64(k2) + "\n" + b64(k1) + "\n", [][]byte{k2, k1}, false},
		{"repeated once", b64(k1) + "," + b64(k1), [][]byte{k1}, false},
		{"too short", b64(k1[:16]), nil, true},
		{"not a key", "correct horse battery staple", nil, true},
		{"empty", "  ", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseKeys(tt.in)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d keys, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if !bytes.Equal(got[i], tt.want[i]) {
					t.Fatalf("key %d differs", i)
				}
			}
			if err != nil && strings.Contains(err.Error(), tt.in) && strings.TrimSpace(tt.in) != "" {
				t.Fatalf("the error must not echo the key material: %v", err)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Run("generates a key file once, private", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "data")
		box, info, err := Load("", dir)
		if err != nil {
			t.Fatal(err)
		}
		if info.Generated == "" || info.Generated != filepath.Join(dir, KeyFile) {
			t.Fatalf("generated = %q", info.Generated)
		}
		st, err := os.Stat(info.Generated)
		if err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("key file mode %v, %v; want 0600", st.Mode().Perm(), err)
		}
		sealed, _ := box.Seal("p", "x")
		again, info2, err := Load("", dir)
		if err != nil || info2.Generated != "" || info2.File != info.Generated {
			t.Fatalf("second load: %+v, %v; want the same file read, not a new key", info2, err)
		}
		if got, err := again.Open("p", sealed); err != nil || got != "x" {
			t.Fatalf("value sealed before a restart: %q, %v", got, err)
		}
	})
	t.Run("configured key wins, the file's key still opens", func(t *testing.T) {
		dir := t.TempDir()
		fromFile, _, err := Load("", dir)
		if err != nil {
			t.Fatal(err)
		}
		sealed, _ := fromFile.Seal("p", "x")
		box, info, err := Load(b64(key(9)), dir)
		if err != nil || info.Generated != "" {
			t.Fatalf("load: %+v, %v", info, err)
		}
		if box.CurrentID() == fromFile.CurrentID() {
			t.Fatal("the configured key must be the current one")
		}
		if got, err := box.Open("p", sealed); err != nil || got != "x" {
			t.Fatalf("the generated key must stay readable until rotated: %q, %v", got, err)
		}
	})
	t.Run("configured key without a data directory", func(t *testing.T) {
		if _, _, err := Load(b64(key(3)), ""); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("neither key nor data directory", func(t *testing.T) {
		if _, _, err := Load("", ""); err == nil {
			t.Fatal("want an error naming OMBUD_SECRET_KEY")
		}
	})
	t.Run("bad configured key", func(t *testing.T) {
		if _, _, err := Load("short", t.TempDir()); err == nil || !strings.Contains(err.Error(), "secret key") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com/" + Masked},
		{"https://example.com:8443/hook?token=abc", "https://example.com:8443/" + Masked},
		{"", ""},
		{"not a url", Masked},
	}
	for _, tt := range tests {
		if got := MaskURL(tt.in); got != tt.want {
			t.Errorf("MaskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if !IsMasked(MaskURL("https://x.example/y")) || IsMasked("https://x.example/y") {
		t.Fatal("IsMasked")
	}
}

func TestSweep(t *testing.T) {
	old, _ := NewBox(key(1))
	stranger, _ := NewBox(key(7))
	both, _ := NewBox(key(2), key(1))
	sealedOld, _ := old.Seal("p", "a")
	sealedNew, _ := both.Seal("p", "b")
	foreign, _ := stranger.Seal("p", "c")
	tests := []struct {
		name   string
		stored string
		rotate bool
		write  bool
	}{
		{"empty", "", true, false},
		{"plain on start", "plain", false, true},
		{"plain on rotate", "plain", true, true},
		{"previous key on start", sealedOld, false, false},
		{"previous key on rotate", sealedOld, true, true},
		{"current key on rotate", sealedNew, true, false},
		{"unknown key", foreign, true, false},
	}
	var total Tally
	for _, tt := range tests {
		var tl Tally
		out, write := both.Sweep("p", tt.stored, tt.rotate, &tl)
		if write != tt.write {
			t.Errorf("%s: write = %v, want %v", tt.name, write, tt.write)
		}
		if write && !both.Current(out) {
			t.Errorf("%s: written value not sealed with the current key", tt.name)
		}
		total.Add(tl)
	}
	if total.Sealed != 3 || total.Unreadable != 1 || len(total.UnknownKeys) != 1 || total.UnknownKeys[0] != stranger.CurrentID() {
		t.Fatalf("tally = %+v", total)
	}
}
