// Package secret encrypts the credentials Ombud keeps in its database
// (mailbox passwords, webhook URLs and signing secrets) so that a copy of
// the database or a backup does not hand them out.
//
// A Box holds the current key, which seals, and any previous keys, which
// still open what they sealed until `ombud secrets rotate` has re-sealed it.
// A sealed value is text: Prefix, the key's id, a colon and the base64 of
// nonce and AES-256-GCM ciphertext. The column or purpose a value belongs to
// is authenticated with it, so a value copied into another column does not
// open there. Values without the prefix are plain text from before
// encryption: they are read as they are and sealed by the first start.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// KeySize is the length of a key in bytes (AES-256).
const KeySize = 32

// Prefix starts every sealed value.
const Prefix = "enc:v1:"

// Errors Open wraps.
var (
	// ErrUnknownKey: the value was sealed with a key this Box does not
	// have (a lost key, or instances configured with different keys).
	ErrUnknownKey = errors.New("sealed with an unknown key")
	// ErrCorrupt: the value is malformed, changed, or belongs elsewhere.
	ErrCorrupt = errors.New("sealed value does not open")
)

type entry struct {
	id   string
	aead cipher.AEAD
	mac  []byte // HMAC key derived from the key (mac.go)
}

// Box seals with its current key and opens with any of its keys.
type Box struct {
	current entry
	byID    map[string]entry
}

// NewBox returns a Box whose first key is the current one; the others only
// open values sealed before a rotation.
func NewBox(current []byte, previous ...[]byte) (*Box, error) {
	b := &Box{byID: map[string]entry{}}
	for i, k := range append([][]byte{current}, previous...) {
		if len(k) != KeySize {
			return nil, fmt.Errorf("secret: key %d is %d bytes, want %d", i+1, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i+1, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("secret: key %d: %w", i+1, err)
		}
		e := entry{id: keyID(k), aead: aead, mac: macKey(k)}
		if i == 0 {
			b.current = e
		}
		if _, dup := b.byID[e.id]; !dup {
			b.byID[e.id] = e
		}
	}
	return b, nil
}

// keyID names a key without revealing it: a short hash, the same on every
// instance configured with the key.
func keyID(k []byte) string {
	h := sha256.Sum256(append([]byte("ombud secret key id\x00"), k...))
	return hex.EncodeToString(h[:4])
}

// CurrentID is the id of the key that seals.
func (b *Box) CurrentID() string { return b.current.id }

// Has reports whether the Box holds the key with this id.
func (b *Box) Has(id string) bool {
	_, ok := b.byID[id]
	return ok
}

// IsSealed reports whether s is a sealed value (rather than legacy plain
// text or empty).
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// KeyID returns the id of the key that sealed s, "" when s is not sealed.
func KeyID(s string) string {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ":")
	return id
}

// Seal encrypts plain for purpose (the column it is stored in, say
// "mailboxes.smtp_password"). The empty string stays empty: there is
// nothing to hide in "no password".
func (b *Box) Seal(purpose, plain string) (string, error) {
	if plain == "" {
		return "", nil
	}
	nonce := make([]byte, b.current.aead.NonceSize(), b.current.aead.NonceSize()+len(plain)+b.current.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("secret: nonce: %w", err)
	}
	out := b.current.aead.Seal(nonce, nonce, []byte(plain), []byte(purpose))
	return Prefix + b.current.id + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value sealed for purpose. Plain text (no Prefix) is
// returned as it is: it was stored before encryption and is sealed by the
// next start or rotation.
func (b *Box) Open(purpose, stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, Prefix)
	if !ok {
		return stored, nil
	}
	id, data, ok := strings.Cut(rest, ":")
	if !ok {
		return "", fmt.Errorf("secret: %w: no key id", ErrCorrupt)
	}
	e, ok := b.byID[id]
	if !ok {
		return "", fmt.Errorf("secret: %w %q: configure it as a previous key (OMBUD_SECRET_KEY=current,previous)", ErrUnknownKey, id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(data)
	if err != nil || len(raw) < e.aead.NonceSize()+e.aead.Overhead() {
		return "", fmt.Errorf("secret: %w: malformed", ErrCorrupt)
	}
	n := e.aead.NonceSize()
	plain, err := e.aead.Open(nil, raw[:n], raw[n:], []byte(purpose))
	if err != nil {
		return "", fmt.Errorf("secret: %w (%s)", ErrCorrupt, purpose)
	}
	return string(plain), nil
}

// Current reports whether stored needs no work: empty, or sealed with the
// current key.
func (b *Box) Current(stored string) bool {
	return stored == "" || KeyID(stored) == b.current.id
}

// Reseal returns stored sealed with the current key, and whether that
// changed anything. Plain text is sealed; a value sealed with a previous
// key is opened and sealed again.
func (b *Box) Reseal(purpose, stored string) (string, bool, error) {
	if b.Current(stored) {
		return stored, false, nil
	}
	plain, err := b.Open(purpose, stored)
	if err != nil {
		return stored, false, err
	}
	out, err := b.Seal(purpose, plain)
	return out, err == nil, err
}

// Masked stands for the hidden part of a credential shown to someone who
// may know it exists but not read it.
const Masked = "••••"

// MaskURL keeps a URL's scheme and host, so a manager can tell a Slack
// hook from a Teams one, and hides the path and query, where the
// credential is: https://hooks.slack.com/services/T0/B0/XX becomes
// https://hooks.slack.com/••••.
func MaskURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return Masked
	}
	return u.Scheme + "://" + u.Host + "/" + Masked
}

// IsMasked reports whether s is (or holds) a mask rather than a value.
func IsMasked(s string) bool { return strings.Contains(s, Masked) }

// Tally counts what a pass over stored secrets did.
type Tally struct {
	Sealed     int // values written sealed with the current key
	Unreadable int // values sealed with a key the Box lacks, or damaged
	// UnknownKeys are the ids of keys that sealed values this Box cannot
	// open: a key missing from OMBUD_SECRET_KEY, or instances that do not
	// share one key.
	UnknownKeys []string
}

// Add adds o to t.
func (t *Tally) Add(o Tally) {
	t.Sealed += o.Sealed
	t.Unreadable += o.Unreadable
	for _, id := range o.UnknownKeys {
		t.unknown(id)
	}
}

func (t *Tally) unknown(id string) {
	for _, x := range t.UnknownKeys {
		if x == id {
			return
		}
	}
	t.UnknownKeys = append(t.UnknownKeys, id)
}

// Sweep decides what a stored value becomes in a pass over the database:
// plain text is always sealed (the upgrade from unencrypted storage); with
// rotate, a value sealed with a previous key is sealed again with the
// current one. It returns the value to write and whether to write it, and
// counts in t what it did and what it could not open.
func (b *Box) Sweep(purpose, stored string, rotate bool, t *Tally) (string, bool) {
	if stored == "" {
		return stored, false
	}
	if IsSealed(stored) {
		if _, err := b.Open(purpose, stored); err != nil {
			t.Unreadable++
			if id := KeyID(stored); !b.Has(id) {
				t.unknown(id)
			}
			return stored, false
		}
		if !rotate || b.Current(stored) {
			return stored, false
		}
	}
	out, changed, err := b.Reseal(purpose, stored)
	if err != nil || !changed {
		return stored, false
	}
	t.Sealed++
	return out, true
}
