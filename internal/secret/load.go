package secret

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the name of the generated key file in the data directory.
const KeyFile = "secret.key"

// ParseKeys reads keys separated by commas or lines, the current key first.
// Each is 32 bytes as base64 (standard or URL alphabet, padded or not) or
// as 64 hex digits; lines starting with # are comments. Errors never quote
// the text, which may be a mistyped key.
func ParseKeys(s string) ([][]byte, error) {
	var out [][]byte
	n := 0
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		for _, tok := range strings.Split(line, ",") {
			tok = strings.TrimSpace(tok)
			if tok == "" {
				continue
			}
			n++
			k := decodeKey(tok)
			if k == nil {
				return nil, fmt.Errorf("secret key %d: want %d random bytes as base64 or %d hex digits (openssl rand -base64 32)", n, KeySize, 2*KeySize)
			}
			if !containsKey(out, k) {
				out = append(out, k)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("secret key: none given")
	}
	return out, nil
}

func decodeKey(s string) []byte {
	if len(s) == 2*KeySize {
		if k, err := hex.DecodeString(s); err == nil {
			return k
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == KeySize {
			return k
		}
	}
	return nil
}

func containsKey(ks [][]byte, k []byte) bool {
	for _, x := range ks {
		if bytes.Equal(x, k) {
			return true
		}
	}
	return false
}

// LoadInfo tells the caller what Load did, for its log.
type LoadInfo struct {
	File      string // key file read, "" when none
	Generated string // key file written by this call, "" when none
	// Loose is set when the key file can be read by others than its owner.
	Loose bool
}

// Load builds the Box from the configured keys (OMBUD_SECRET_KEY: current
// first, then previous ones) and the key file in dataDir. Without a
// configured key the file's keys are used, and on the very first start a
// random key is generated into the file (mode 0600). With a configured key
// the file's keys are still accepted for opening, so values sealed with a
// generated key stay readable until `ombud secrets rotate`.
func Load(configured, dataDir string) (*Box, LoadInfo, error) {
	var info LoadInfo
	var keys [][]byte
	if strings.TrimSpace(configured) != "" {
		ks, err := ParseKeys(configured)
		if err != nil {
			return nil, info, fmt.Errorf("OMBUD_SECRET_KEY / --secret-key: %w", err)
		}
		keys = ks
	}
	if dataDir != "" {
		path := filepath.Join(dataDir, KeyFile)
		ks, loose, err := readKeyFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, info, err
		default:
			info.File, info.Loose = path, loose
			for _, k := range ks {
				if !containsKey(keys, k) {
					keys = append(keys, k)
				}
			}
		}
		if len(keys) == 0 {
			k, created, err := generateKeyFile(path)
			if err != nil {
				return nil, info, err
			}
			keys = [][]byte{k}
			info.File = path
			if created {
				info.Generated = path
			}
		}
	}
	if len(keys) == 0 {
		return nil, info, errors.New("no secret key: set OMBUD_SECRET_KEY (the same on every instance) or --data for a generated key file")
	}
	box, err := NewBox(keys[0], keys[1:]...)
	return box, info, err
}

func readKeyFile(path string) ([][]byte, bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, false, err
		}
		return nil, false, fmt.Errorf("secret: read %s: %w", path, err)
	}
	ks, err := ParseKeys(string(b))
	if err != nil {
		return nil, false, fmt.Errorf("secret: %s: %w", path, err)
	}
	loose := false
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		loose = true
	}
	return ks, loose, nil
}

// generateKeyFile writes a new random key to path unless another process
// got there first, in which case its key is used. The key is written to a
// temporary file and linked into place, so no reader ever sees half a file.
func generateKeyFile(path string) ([]byte, bool, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, false, fmt.Errorf("secret: generate key: %w", err)
	}
	f, err := os.CreateTemp(dir, ".secret-key-*")
	if err != nil {
		return nil, false, fmt.Errorf("secret: %w", err)
	}
	defer os.Remove(f.Name())
	text := "# Ombud's secret key: it encrypts mailbox passwords and webhook URLs in the database.\n" +
		"# Back it up apart from the database; without it they cannot be read.\n" +
		base64.StdEncoding.EncodeToString(k) + "\n"
	_, werr := f.WriteString(text)
	perr := f.Chmod(0o600)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, perr, serr, cerr); err != nil {
		return nil, false, fmt.Errorf("secret: write %s: %w", path, err)
	}
	if err := os.Link(f.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			ks, _, err := readKeyFile(path)
			if err != nil {
				return nil, false, err
			}
			return ks[0], false, nil
		}
		return nil, false, fmt.Errorf("secret: create %s: %w", path, err)
	}
	return k, true, nil
}

// Ephemeral returns a Box with a random key that lives as long as the
// process: for services built without configuration (unit tests). What it
// seals cannot be read after a restart, so the application always passes
// the Box from Load.
func Ephemeral() *Box {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic("secret: no randomness: " + err.Error())
	}
	b, err := NewBox(k)
	if err != nil {
		panic(err)
	}
	return b
}
