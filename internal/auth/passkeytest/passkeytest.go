// Package passkeytest is a software WebAuthn authenticator for tests: it
// answers the options Ombud sends for navigator.credentials.create and get
// as a browser with a platform authenticator would, with ECDSA P-256 keys
// it makes, "none" attestation and authenticator data built byte by byte
// as the WebAuthn specification lays it out (§6.1).
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// Authenticator flags (§6.1).
const (
	FlagUP = 0x01 // user present
	FlagUV = 0x04 // user verified
	FlagBE = 0x08 // backup eligible
	FlagBS = 0x10 // backed up
	FlagAT = 0x40 // attested credential data included
)

var b64 = base64.RawURLEncoding

// Credential is one key the authenticator holds.
type Credential struct {
	ID     []byte
	Key    *ecdsa.PrivateKey
	User   []byte // the user handle it was made for
	RPID   string
	Count  uint32 // the signature counter; 0 stays 0 (a passkey that does not count)
	Counts bool   // whether Count goes up with each use
}

// Authenticator holds credentials and the origin it answers for.
type Authenticator struct {
	Origin string // what the browser puts in clientDataJSON, e.g. http://ombud.test
	// UV: the user is verified (a PIN or fingerprint); false answers with
	// presence only.
	UV bool
	// Counts: new credentials keep a signature counter.
	Counts bool
	Creds  []*Credential
}

// New returns an authenticator for origin that verifies the user and
// counts signatures.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin, UV: true, Counts: true} }

type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Exclude []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
	} `json:"publicKey"`
}

type requestOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		Allow     []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

func (a *Authenticator) flags() byte {
	f := byte(FlagUP)
	if a.UV {
		f |= FlagUV
	}
	return f
}

// authData builds rpIdHash ‖ flags ‖ signCount, and the attested
// credential data (AAGUID ‖ id length ‖ id ‖ COSE key) when cred is new.
func authData(rpID string, flags byte, count uint32, attested []byte) []byte {
	h := sha256.Sum256([]byte(rpID))
	out := append([]byte{}, h[:]...)
	out = append(out, flags)
	out = binary.BigEndian.AppendUint32(out, count)
	return append(out, attested...)
}

// coseKey is the EC2 P-256 public key as a COSE_Key (RFC 9053): kty 2,
// alg -7 (ES256), crv 1, x, y.
func coseKey(pub *ecdsa.PublicKey) ([]byte, error) {
	raw, err := pub.Bytes() // 0x04 ‖ x ‖ y
	if err != nil {
		return nil, err
	}
	em, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		return nil, err
	}
	return em.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: raw[1:33], -3: raw[33:65]})
}

// Create answers creation options (the JSON Ombud sent) with a new
// credential: the JSON the page posts back.
func (a *Authenticator) Create(options []byte) ([]byte, error) {
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: creation options: %w", err)
	}
	for _, ex := range o.PublicKey.Exclude {
		for _, c := range a.Creds {
			if b64.EncodeToString(c.ID) == ex.ID {
				return nil, errors.New("passkeytest: InvalidStateError: a credential of this authenticator is excluded")
			}
		}
	}
	user, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		return nil, fmt.Errorf("passkeytest: user id: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	c := &Credential{ID: make([]byte, 16), Key: key, User: user, RPID: o.PublicKey.RP.ID, Counts: a.Counts}
	_, _ = rand.Read(c.ID)
	cose, err := coseKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	attested := make([]byte, 16) // AAGUID: all zero, as "none" attestation allows
	attested = binary.BigEndian.AppendUint16(attested, uint16(len(c.ID)))
	attested = append(attested, c.ID...)
	attested = append(attested, cose...)
	if c.Counts {
		c.Count = 1
	}
	ad := authData(c.RPID, a.flags()|FlagAT, c.Count, attested)
	att, err := cbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		return nil, err
	}
	a.Creds = append(a.Creds, c)
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(a.clientData("webauthn.create", o.PublicKey.Challenge)),
			"attestationObject": b64.EncodeToString(att),
			"transports":        []string{"internal"},
		},
	})
}

// Get answers request options with an assertion by the first credential
// allowed (any of this site's when none is listed: a discoverable login).
func (a *Authenticator) Get(options []byte) ([]byte, error) {
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		return nil, fmt.Errorf("passkeytest: request options: %w", err)
	}
	var c *Credential
	for _, cand := range a.Creds {
		if cand.RPID != o.PublicKey.RPID {
			continue
		}
		if len(o.PublicKey.Allow) == 0 {
			c = cand
			break
		}
		for _, al := range o.PublicKey.Allow {
			if al.ID == b64.EncodeToString(cand.ID) {
				c = cand
			}
		}
		if c != nil {
			break
		}
	}
	if c == nil {
		return nil, errors.New("passkeytest: NotAllowedError: no credential for these options")
	}
	if c.Counts {
		c.Count++
	}
	return a.Assert(c, o.PublicKey.Challenge)
}

// Assert signs challenge with c at its current counter, as Get does
// (tests use it to replay an old counter, as a clone would).
func (a *Authenticator) Assert(c *Credential, challenge string) ([]byte, error) {
	cd := a.clientData("webauthn.get", challenge)
	ad := authData(c.RPID, a.flags(), c.Count, nil)
	h := sha256.Sum256(cd)
	// ES256 signs SHA-256(authenticatorData ‖ SHA-256(clientDataJSON)).
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.Key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"authenticatorAttachment": "platform", "clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(cd),
			"authenticatorData": b64.EncodeToString(ad),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(c.User),
		},
	})
}

// Challenge reads the challenge out of options JSON (creation or request).
func Challenge(options []byte) string {
	var o struct {
		PublicKey struct {
			Challenge string `json:"challenge"`
		} `json:"publicKey"`
	}
	_ = json.Unmarshal(options, &o)
	return o.PublicKey.Challenge
}
