package ticket

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// EvMentioned records that a comment mentioned agents (data: comment_id,
// agent_ids). It is written in the comment's transaction, together with
// the followers it adds and the notices it queues.
const EvMentioned = "mentioned"

// MentionCandidate is an agent who may be mentioned: active and allowed to
// read tickets.
type MentionCandidate struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// MentionMatch is one mention in a text: text[Start:End] is "@" followed by
// the agent's name or email address as typed.
type MentionMatch struct {
	Start, End int
	AgentID    int64
}

// FindMentions finds the mentions in text: "@" followed by a candidate's
// full name or email address, compared without regard to case.
//
// The rules, so that ordinary text is never taken for a mention:
//   - the "@" starts the text or follows a space or punctuation, not a
//     letter, digit or one of ._%+-@/\=&# (so "ann@example.com" and URLs
//     are not mentions);
//   - the name must end at a word boundary: "@Ann" does not match inside
//     "@Annabel", and "@ann@example.com" does not match inside
//     "@ann@example.com.au"; a full stop, comma or other punctuation may
//     follow;
//   - a space inside a name matches one space (or no-break space) in the
//     text;
//   - the longest name or address wins, so "@Ann Lee" mentions Ann Lee
//     even when another agent is called just Ann;
//   - when the longest match names two or more agents (two agents share a
//     name), it is no mention at all: notifying both would show the note to
//     someone it was not meant for, and picking one would be a guess. The
//     writer can use the email address, which is unique.
//
// FindMentions is pure: it only reads its arguments.
func FindMentions(text string, candidates []MentionCandidate) []MentionMatch {
	if !strings.Contains(text, "@") || len(candidates) == 0 {
		return nil
	}
	idx := indexCandidates(candidates)
	var out []MentionMatch
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '@')
		if j < 0 {
			break
		}
		at := i + j
		i = at + 1
		if !mentionStart(text, at) {
			continue
		}
		rest := text[at+1:]
		first, _ := utf8.DecodeRuneInString(rest)
		best, ids := 0, []int64(nil)
		for _, k := range idx[foldKey(first)] {
			n := matchFold(rest, k.key)
			if n <= 0 || !mentionEnd(rest[n:]) {
				continue
			}
			switch {
			case n > best:
				best, ids = n, []int64{k.id}
			case n == best && !slices.Contains(ids, k.id):
				ids = append(ids, k.id)
			}
		}
		if len(ids) != 1 {
			continue // nothing, or ambiguous: no mention
		}
		out = append(out, MentionMatch{Start: at, End: at + 1 + best, AgentID: ids[0]})
		i = at + 1 + best
	}
	return out
}

// MentionedIDs returns the agents of matches once each, in order of first
// mention.
func MentionedIDs(matches []MentionMatch) []int64 {
	var ids []int64
	for _, m := range matches {
		if !slices.Contains(ids, m.AgentID) {
			ids = append(ids, m.AgentID)
		}
	}
	return ids
}

type mentionKey struct {
	key string
	id  int64
}

// indexCandidates maps the folded first rune of every name and address to
// the keys starting with it, so a text with many "@" stays cheap to scan.
func indexCandidates(candidates []MentionCandidate) map[rune][]mentionKey {
	idx := map[rune][]mentionKey{}
	for _, c := range candidates {
		for _, k := range []string{strings.Join(strings.Fields(c.Name), " "), strings.TrimSpace(c.Email)} {
			if k == "" {
				continue
			}
			r, _ := utf8.DecodeRuneInString(k)
			idx[foldKey(r)] = append(idx[foldKey(r)], mentionKey{key: k, id: c.ID})
		}
	}
	return idx
}

// foldKey is the smallest rune that folds to r: the same for every case of
// a letter.
func foldKey(r rune) rune {
	lo := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < lo {
			lo = f
		}
	}
	return lo
}

func foldEq(a, b rune) bool {
	return a == b || foldKey(a) == foldKey(b)
}

func mentionSpace(r rune) bool { return r == ' ' || r == '\u00a0' }

// matchFold reports how many bytes of text match key (case folded, a space
// in key matching a space or no-break space), or -1 when text does not
// start with key.
func matchFold(text, key string) int {
	n := 0
	for _, kr := range key {
		if n >= len(text) {
			return -1
		}
		tr, size := utf8.DecodeRuneInString(text[n:])
		if kr == ' ' {
			if !mentionSpace(tr) {
				return -1
			}
		} else if !foldEq(tr, kr) {
			return -1
		}
		n += size
	}
	return n
}

// wordRune is a rune that continues a name or an email address.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_' || r == '-' || r == '@'
}

// mentionStart reports whether the "@" at text[at] may start a mention.
func mentionStart(text string, at int) bool {
	if at == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(text[:at])
	if r == utf8.RuneError || wordRune(r) {
		return false
	}
	return !strings.ContainsRune(`._%+/\=&#`, r)
}

// mentionEnd reports whether a mention may end where rest begins.
func mentionEnd(rest string) bool {
	if rest == "" {
		return true
	}
	r, size := utf8.DecodeRuneInString(rest)
	if wordRune(r) {
		return false
	}
	if r == '.' {
		// End of a sentence, not the next label of a domain.
		next, _ := utf8.DecodeRuneInString(rest[size:])
		return rest[size:] == "" || !wordRune(next)
	}
	return true
}

// MentionNotice is the email a mentioned agent gets.
type MentionNotice struct {
	TicketID   int64
	CommentID  int64
	Subject    string // the ticket's subject
	AuthorName string
	Public     bool   // a public reply rather than an internal note
	Body       string // the comment's text
	To         MentionCandidate
	Key        string // idempotency: one notice per comment and agent
}

// Notifier queues notification email inside the comment's transaction (the
// email channel implements it with its outbox).
type Notifier interface {
	QueueMention(ctx context.Context, tx *db.Tx, n MentionNotice) error
}

// SetNotifier sets where mention notices are queued; without one, mentions
// are still recorded and make followers.
func (s *Service) SetNotifier(n Notifier) { s.notifier = n }

// Mentionable lists the agents a comment may mention whose name or email
// contains query (all of them for ""), by name, at most limit.
func (s *Service) Mentionable(ctx context.Context, actor authz.Actor, query string, limit int) ([]MentionCandidate, error) {
	if err := authz.Check(actor, authz.TicketNote); err != nil {
		return nil, err
	}
	all, err := mentionCandidates(ctx, s.db)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(strings.Join(strings.Fields(query), " "))
	out := []MentionCandidate{}
	for _, c := range all {
		if q == "" || strings.Contains(strings.ToLower(c.Name), q) || strings.Contains(strings.ToLower(c.Email), q) {
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		// Names starting with the query first, then alphabetical.
		pi, pj := strings.HasPrefix(strings.ToLower(out[i].Name), q), strings.HasPrefix(strings.ToLower(out[j].Name), q)
		if pi != pj {
			return pi
		}
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// mentionCandidates returns the active agents whose role may read tickets.
func mentionCandidates(ctx context.Context, q db.Querier) ([]MentionCandidate, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, name, email, role FROM agents WHERE active ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("ticket: mention candidates: %w", err)
	}
	defer rows.Close()
	var out []MentionCandidate
	for rows.Next() {
		var c MentionCandidate
		var role string
		if err := rows.Scan(&c.ID, &c.Name, &c.Email, &role); err != nil {
			return nil, fmt.Errorf("ticket: scan mention candidate: %w", err)
		}
		if authz.Can(authz.Actor{Kind: authz.KindAgent, ID: c.ID, Role: authz.Role(role)}, authz.TicketRead) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// mentionTx records the mentions of an agent's comment: a mentioned event,
// the mentioned agents as followers, and a notice to each, all in the
// comment's transaction. The author never mentions themselves.
func (s *Service) mentionTx(ctx context.Context, tx *db.Tx, log *eventLog, t *Ticket, author int64, authorName string, c Comment) error {
	if !strings.Contains(c.Body, "@") {
		return nil
	}
	cands, err := mentionCandidates(ctx, tx)
	if err != nil {
		return err
	}
	byID := map[int64]MentionCandidate{}
	for _, m := range cands {
		byID[m.ID] = m
	}
	var ids []int64
	for _, id := range MentionedIDs(FindMentions(c.Body, cands)) {
		if id != author {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	log.add(EvMentioned, map[string]any{"comment_id": c.ID, "agent_ids": ids})
	// A mention makes the colleague a follower only when the author may
	// change the ticket's followers; a note-only role's mention notifies,
	// and changes no field.
	if !authz.Can(log.actor, authz.TicketUpdate) {
		return s.notifyMentions(ctx, tx, t, author, authorName, c, ids, byID)
	}
	want := slices.Clone(t.FollowerIDs)
	for _, id := range ids {
		if !slices.Contains(want, id) {
			want = append(want, id)
		}
	}
	if len(want) > len(t.FollowerIDs) {
		added, _, err := setFollowers(ctx, tx, t.ID, t.FollowerIDs, want)
		if err != nil {
			return err
		}
		if len(added) > 0 {
			log.add(EvFollowersChanged, map[string]any{"added": added, "removed": []int64{}})
		}
		t.FollowerIDs = want
	}
	return s.notifyMentions(ctx, tx, t, author, authorName, c, ids, byID)
}

// notifyMentions queues a notice to each mentioned colleague.
func (s *Service) notifyMentions(ctx context.Context, tx *db.Tx, t *Ticket, author int64, authorName string, c Comment, ids []int64, byID map[int64]MentionCandidate) error {
	if s.notifier == nil {
		return nil
	}
	if a, ok := byID[author]; ok && a.Name != "" {
		authorName = a.Name
	}
	for _, id := range ids {
		n := MentionNotice{TicketID: t.ID, CommentID: c.ID, Subject: t.Subject, AuthorName: authorName, Public: c.Public,
			Body: c.Body, To: byID[id], Key: fmt.Sprintf("mention:%d:%d", c.ID, id)}
		if err := s.notifier.QueueMention(ctx, tx, n); err != nil {
			return fmt.Errorf("ticket: queue mention notice: %w", err)
		}
	}
	return nil
}
