package audit

import (
	"encoding/json"
	"strings"
)

// Redacted replaces a secret value in audit data; an empty secret stays
// empty, so the log still shows that one was set or cleared.
const Redacted = "[redacted]"

// secretKey reports whether a data key names a credential: passwords,
// tokens, signing secrets, TOTP material and URLs that carry their own
// credentials (webhook and chat URLs). Audit readers need to know that one
// changed, never what it is.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	if strings.HasPrefix(k, "has_") {
		return false // has_password: whether one is set, which readers may know
	}
	for _, s := range []string{"password", "secret", "totp", "recovery", "credential", "api_key", "private_key"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return k == "token" || strings.HasSuffix(k, "_token") || k == "url" || strings.HasSuffix(k, "_url") ||
		k == "webhook" || k == "authorization" || k == "headers"
}

// Redact returns data as plain JSON values (through a JSON round trip, so
// structs are seen by their JSON names) with every secret key's value
// replaced by Redacted, at any depth.
func Redact(data map[string]any) (map[string]any, error) {
	b, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	redact(v)
	return v, nil
}

func redact(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if secretKey(k) {
				if val != nil && val != "" && val != false {
					x[k] = Redacted
				}
				continue
			}
			redact(val)
		}
	case []any:
		for _, e := range x {
			redact(e)
		}
	}
}
