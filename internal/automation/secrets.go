package automation

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/secret"
)

// A rule's webhook and chat URLs are credentials (whoever has a Slack or
// Teams incoming-webhook URL can post to the channel) and so is its signing
// secret. They are sealed in the database (internal/secret): the URLs inside
// the stored actions JSON and inside queued delivery jobs, the secret in its
// column. The purposes name where each lives, so a sealed value moved
// elsewhere does not open.
const (
	purposeActionURL = "automation_rules.actions.url"
	purposeSecret    = "automation_rules.secret"
	purposePostURL   = "jobs.automation.post.url"
)

// SetSecrets sets the Box that seals webhook URLs and secrets (default: a
// key that lasts as long as the process, for tests).
func (s *Service) SetSecrets(b *secret.Box) { s.secrets = b }

func usesURL(typ string) bool { return typ == "webhook" || typ == "slack" }

// sealedActions is the actions JSON as stored: URLs sealed.
func (s *Service) sealedActions(acts []Action) (string, error) {
	out := make([]Action, len(acts))
	copy(out, acts)
	for i := range out {
		if !usesURL(out[i].Type) {
			continue
		}
		sealed, err := s.secrets.Seal(purposeActionURL, out[i].URL)
		if err != nil {
			return "", fmt.Errorf("automation: seal url: %w", err)
		}
		out[i].URL = sealed
	}
	return mustJSON(out), nil
}

// openActions opens the URLs of stored actions. A URL that does not open
// (its key is not configured) is left empty: the rule then fails
// validation and never fires, and an admin sees it needs the URL again.
func (s *Service) openActions(acts []Action) {
	for i := range acts {
		if !usesURL(acts[i].Type) {
			continue
		}
		u, err := s.secrets.Open(purposeActionURL, acts[i].URL)
		if err != nil {
			u = ""
		}
		acts[i].URL = u
	}
}

// redact shows a rule's credentials by role: admins see them, others who
// may edit rules (managers) see them masked, readers (agents) not at all.
func redact(actor authz.Actor, r Rule) Rule {
	if authz.Can(actor, authz.SecretReveal) {
		return r
	}
	write := authz.Can(actor, authz.AutomationWrite)
	acts := make([]Action, len(r.Actions))
	copy(acts, r.Actions)
	for i := range acts {
		if usesURL(acts[i].Type) {
			if write {
				acts[i].URL = secret.MaskURL(acts[i].URL)
			} else {
				acts[i].URL = ""
			}
		}
	}
	r.Actions = acts
	r.WebhookSecret = ""
	if write {
		r.WebhookSecret = secret.Masked
	}
	return r
}

// errURLAdminOnly refuses a URL entered by someone who may not see them.
var errURLAdminOnly = apperr.Forbidden("only an administrator may enter or change a webhook or chat URL: they are credentials (keep the masked value to leave one as it is)")

// restoreURLs puts the stored URL back where a client sent the masked
// form it was shown, so saving a rule unchanged keeps its credentials. A
// masked value is matched to the stored action at the same position, else
// to the first unused stored action of the same type with the same mask.
// Only admins may enter a URL; others may keep or remove the stored ones.
func restoreURLs(actor authz.Actor, in []Action, stored []Action, fe apperr.FieldErrors) error {
	admin := authz.Can(actor, authz.SecretReveal)
	used := make([]bool, len(stored))
	matches := func(j int, a Action) bool {
		return j < len(stored) && !used[j] && stored[j].Type == a.Type && stored[j].URL != "" && secret.MaskURL(stored[j].URL) == a.URL
	}
	for i := range in {
		a := &in[i]
		if !usesURL(a.Type) || a.URL == "" {
			continue
		}
		if secret.IsMasked(a.URL) {
			j := -1
			if matches(i, *a) {
				j = i
			} else {
				for k := range stored {
					if matches(k, *a) {
						j = k
						break
					}
				}
			}
			if j < 0 {
				fe.Add(fmt.Sprintf("actions[%d].url", i), "is masked and matches no stored URL: enter the full URL")
				continue
			}
			used[j] = true
			a.URL = stored[j].URL
			continue
		}
		if admin {
			continue
		}
		known := false
		for j := range stored {
			if !used[j] && usesURL(stored[j].Type) && stored[j].URL == a.URL {
				used[j], known = true, true
				break
			}
		}
		if !known {
			return errURLAdminOnly
		}
	}
	return nil
}

// SealSecrets makes one pass over the stored webhook URLs and secrets:
// plain text left from before encryption is sealed, and with rotate, values
// sealed with a previous key are sealed again with the current one. Queued
// and finished delivery jobs are included. It runs at every start and from
// `ombud secrets rotate`.
func (s *Service) SealSecrets(ctx context.Context, rotate bool) (secret.Tally, error) {
	var t secret.Tally
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		t = secret.Tally{}
		if err := s.sealRules(ctx, tx, rotate, &t); err != nil {
			return err
		}
		return s.sealJobs(ctx, tx, rotate, &t)
	})
	if err != nil {
		return secret.Tally{}, err
	}
	return t, nil
}

type storedRow struct {
	id        int64
	doc, more string
}

func readRows(ctx context.Context, tx *db.Tx, query string, args ...any) ([]storedRow, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storedRow
	for rows.Next() {
		var r storedRow
		if err := rows.Scan(&r.id, &r.doc, &r.more); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// sweepURLs seals the "url" members of a JSON object or list of objects,
// leaving every other member byte for byte.
func (s *Service) sweepURLs(doc, purpose string, onlyTypes bool, rotate bool, t *secret.Tally) (string, bool) {
	var list []map[string]json.RawMessage
	single := false
	if err := json.Unmarshal([]byte(doc), &list); err != nil {
		var one map[string]json.RawMessage
		if err := json.Unmarshal([]byte(doc), &one); err != nil {
			return doc, false
		}
		list, single = []map[string]json.RawMessage{one}, true
	}
	changed := false
	for _, m := range list {
		var typ, u string
		if onlyTypes {
			if err := json.Unmarshal(m["type"], &typ); err != nil || !usesURL(typ) {
				continue
			}
		}
		if err := json.Unmarshal(m["url"], &u); err != nil || u == "" {
			continue
		}
		out, write := s.secrets.Sweep(purpose, u, rotate, t)
		if !write {
			continue
		}
		b, _ := json.Marshal(out)
		m["url"] = b
		changed = true
	}
	if !changed {
		return doc, false
	}
	var b []byte
	if single {
		b, _ = json.Marshal(list[0])
	} else {
		b, _ = json.Marshal(list)
	}
	return string(b), true
}

func (s *Service) sealRules(ctx context.Context, tx *db.Tx, rotate bool, t *secret.Tally) error {
	rows, err := readRows(ctx, tx, `SELECT id, actions, secret FROM automation_rules ORDER BY id`)
	if err != nil {
		return fmt.Errorf("automation: read rule secrets: %w", err)
	}
	for _, r := range rows {
		acts, w1 := s.sweepURLs(r.doc, purposeActionURL, true, rotate, t)
		sec, w2 := s.secrets.Sweep(purposeSecret, r.more, rotate, t)
		if !w1 && !w2 {
			continue
		}
		// Only the values read are replaced: a rule saved meanwhile keeps
		// what its editor wrote (already sealed).
		if _, err := tx.ExecContext(ctx, `UPDATE automation_rules SET actions = ?, secret = ? WHERE id = ? AND actions = ? AND secret = ?`,
			acts, sec, r.id, r.doc, r.more); err != nil {
			return fmt.Errorf("automation: seal rule %d: %w", r.id, err)
		}
	}
	return nil
}

func (s *Service) sealJobs(ctx context.Context, tx *db.Tx, rotate bool, t *secret.Tally) error {
	rows, err := readRows(ctx, tx, `SELECT id, payload, state FROM jobs WHERE kind = ? ORDER BY id`, JobPost)
	if err != nil {
		return fmt.Errorf("automation: read webhook jobs: %w", err)
	}
	for _, r := range rows {
		payload, write := s.sweepURLs(r.doc, purposePostURL, false, rotate, t)
		if !write {
			continue
		}
		// A job's payload never changes once queued, so no other writer
		// can race this update.
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET payload = ? WHERE id = ?`, payload, r.id); err != nil {
			return fmt.Errorf("automation: seal webhook job %d: %w", r.id, err)
		}
	}
	return nil
}
