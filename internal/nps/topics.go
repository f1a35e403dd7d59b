package nps

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/textcheck"
	"github.com/ombud/ombud/internal/ticket"
)

// Comment sources.
const (
	SourceCSAT = "csat" // csat_surveys.comment
	SourceNPS  = "nps"  // nps_sends.reason
)

// Limits of topic rules.
const (
	MaxTopic    = 60
	MaxKeywords = 50
	MaxKeyword  = 60
)

// Rule tags a comment with Topic when it contains one of the keywords of
// the comment's language. A keyword matches at the start of a word, so
// "deliver" finds "delivery" and "levering" finds "leveringstid".
type Rule struct {
	ID        int64               `json:"id"`
	Topic     string              `json:"topic"`
	Keywords  map[string][]string `json:"keywords"` // language → keywords
	CreatedAt time.Time           `json:"created_at"`
}

// RuleInput creates a rule.
type RuleInput struct {
	Topic    string              `json:"topic"`
	Keywords map[string][]string `json:"keywords"`
}

// NormTopic is a topic as stored: trimmed, lower case.
func NormTopic(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

func validTopic(fe apperr.FieldErrors, field, t string) {
	switch {
	case t == "":
		fe.Add(field, "is required")
	case utf8.RuneCountInString(t) > MaxTopic:
		fe.Add(field, fmt.Sprintf("must be at most %d characters", MaxTopic))
	case textcheck.Line(t) != "":
		fe.Add(field, textcheck.Line(t))
	}
}

// Rules lists the topic rules by topic.
func (s *Service) Rules(ctx context.Context, actor authz.Actor) ([]Rule, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return nil, err
	}
	return loadRules(ctx, s.db)
}

func loadRules(ctx context.Context, q db.Querier) ([]Rule, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, topic, keywords, created_at FROM feedback_rules ORDER BY topic, id`)
	if err != nil {
		return nil, fmt.Errorf("nps: rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		var r Rule
		var kw string
		var created int64
		if err := rows.Scan(&r.ID, &r.Topic, &kw, &created); err != nil {
			return nil, fmt.Errorf("nps: rules: %w", err)
		}
		r.CreatedAt = db.Time(created)
		if err := json.Unmarshal([]byte(kw), &r.Keywords); err != nil {
			return nil, fmt.Errorf("nps: rule %d: %w", r.ID, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateRule validates and stores a rule, then applies it to the comments
// already there.
func (s *Service) CreateRule(ctx context.Context, actor authz.Actor, in RuleInput) (Rule, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return Rule{}, err
	}
	r := Rule{Topic: NormTopic(in.Topic), Keywords: map[string][]string{}}
	fe := apperr.FieldErrors{}
	validTopic(fe, "topic", r.Topic)
	if fe.MaxItems("keywords", len(in.Keywords), len(i18n.Locales)) {
		return Rule{}, fe.Err()
	}
	n := 0
	for lang, kws := range in.Keywords {
		if fe.MaxItems("keywords."+lang, len(kws), MaxKeywords) {
			continue
		}
		if !validLang(lang) {
			fe.Add("keywords."+lang, "must be a language of en, nb, sv, da, sl")
			continue
		}
		for _, k := range kws {
			k = strings.ToLower(strings.TrimSpace(k))
			switch {
			case k == "":
			case utf8.RuneCountInString(k) > MaxKeyword:
				fe.Add("keywords."+lang, fmt.Sprintf("each keyword must be at most %d characters", MaxKeyword))
			case textcheck.Line(k) != "":
				fe.Add("keywords."+lang, textcheck.Line(k))
			case !slices.Contains(r.Keywords[lang], k):
				r.Keywords[lang] = append(r.Keywords[lang], k)
				n++
			}
		}
	}
	if n == 0 {
		fe.Add("keywords", "give at least one keyword")
	} else if n > MaxKeywords {
		fe.Add("keywords", fmt.Sprintf("must be at most %d keywords", MaxKeywords))
	}
	if err := fe.Err(); err != nil {
		return Rule{}, err
	}
	now := s.now()
	r.CreatedAt = db.Time(db.Millis(now))
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		kw, _ := json.Marshal(r.Keywords)
		var err error
		if r.ID, err = tx.InsertID(ctx, `INSERT INTO feedback_rules (topic, keywords, created_at, updated_at) VALUES (?, ?, ?, ?)`,
			r.Topic, string(kw), db.Millis(now), db.Millis(now)); err != nil {
			return fmt.Errorf("nps: create rule: %w", err)
		}
		if _, err := s.applyRules(ctx, tx, []Rule{r}, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "feedback.rule.create", fmt.Sprintf("feedback_rule:%d", r.ID), map[string]any{"topic": r.Topic})
	})
	if err != nil {
		return Rule{}, err
	}
	return r, nil
}

// DeleteRule removes a rule and the tags it made (hand tags stay).
func (s *Service) DeleteRule(ctx context.Context, actor authz.Actor, id int64) error {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM feedback_rules WHERE id = ?`, id)
		if err != nil {
			return fmt.Errorf("nps: delete rule %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("rule", id)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_tags WHERE rule_id = ?`, id); err != nil {
			return fmt.Errorf("nps: delete rule %d tags: %w", id, err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "feedback.rule.delete", fmt.Sprintf("feedback_rule:%d", id), nil)
	})
}

// Reapply drops every tag the rules made and applies all rules again to
// every comment (after rules changed). It returns the tags made.
func (s *Service) Reapply(ctx context.Context, actor authz.Actor) (int, error) {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return 0, err
	}
	var n int
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		rules, err := loadRules(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_tags WHERE rule_id <> 0`); err != nil {
			return fmt.Errorf("nps: reapply: %w", err)
		}
		now := s.now()
		if n, err = s.applyRules(ctx, tx, rules, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "feedback.rules.reapply", "feedback", map[string]any{"tags": n})
	})
	return n, err
}

// applyRules runs rules over every stored comment, adding the tags they
// match (existing tags of the same topic stay as they are).
func (s *Service) applyRules(ctx context.Context, tx *db.Tx, rules []Rule, now time.Time) (int, error) {
	if len(rules) == 0 {
		return 0, nil
	}
	type item struct {
		src       string
		id        int64
		lang, txt string
	}
	var items []item
	for _, q := range []struct{ src, sql string }{
		{SourceCSAT, `SELECT id, language, comment FROM csat_surveys WHERE comment <> ''`},
		{SourceNPS, `SELECT id, language, reason FROM nps_sends WHERE reason <> ''`},
	} {
		rows, err := tx.QueryContext(ctx, q.sql)
		if err != nil {
			return 0, fmt.Errorf("nps: comments: %w", err)
		}
		for rows.Next() {
			it := item{src: q.src}
			if err := rows.Scan(&it.id, &it.lang, &it.txt); err != nil {
				rows.Close()
				return 0, err
			}
			items = append(items, it)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, it := range items {
		for _, r := range rules {
			if !r.Matches(it.lang, it.txt) {
				continue
			}
			ok, err := addTag(ctx, tx, it.src, it.id, r.Topic, r.ID, 0, now)
			if err != nil {
				return 0, err
			}
			if ok {
				n++
			}
		}
	}
	return n, nil
}

// tagByRules replaces the rule tags of one comment with those the current
// rules give it: called when an answer arrives or changes.
func (s *Service) tagByRules(ctx context.Context, tx *db.Tx, src string, id int64, lang, text string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_tags WHERE source = ? AND item_id = ? AND rule_id <> 0`, src, id); err != nil {
		return fmt.Errorf("nps: retag %s %d: %w", src, id, err)
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	rules, err := loadRules(ctx, tx)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if r.Matches(lang, text) {
			if _, err := addTag(ctx, tx, src, id, r.Topic, r.ID, 0, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func addTag(ctx context.Context, tx *db.Tx, src string, id int64, topic string, ruleID, by int64, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO feedback_tags (source, item_id, topic, rule_id, tagged_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (source, item_id, topic) DO NOTHING`, src, id, topic, ruleID, by, db.Millis(now))
	if err != nil {
		return false, fmt.Errorf("nps: tag %s %d: %w", src, id, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Matches reports whether text, written in lang, contains one of the
// rule's keywords for lang at the start of a word.
func (r Rule) Matches(lang, text string) bool {
	kws := r.Keywords[lang]
	if len(kws) == 0 {
		return false
	}
	low := strings.ToLower(text)
	for _, k := range kws {
		for i := 0; i <= len(low)-len(k); {
			j := strings.Index(low[i:], k)
			if j < 0 {
				break
			}
			at := i + j
			prev, _ := utf8.DecodeLastRuneInString(low[:at])
			if at == 0 || !(unicode.IsLetter(prev) || unicode.IsDigit(prev)) {
				return true
			}
			i = at + 1
		}
	}
	return false
}

// Tag is a topic on a comment.
type Tag struct {
	Topic  string `json:"topic"`
	Manual bool   `json:"manual"` // tagged by hand, not by a rule
}

// AddTag tags a comment with a topic by hand.
func (s *Service) AddTag(ctx context.Context, actor authz.Actor, src string, id int64, topic string) error {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return err
	}
	topic = NormTopic(topic)
	fe := apperr.FieldErrors{}
	validTopic(fe, "topic", topic)
	if src != SourceCSAT && src != SourceNPS {
		fe.Add("source", "must be csat or nps")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		table := map[string]string{SourceCSAT: "csat_surveys", SourceNPS: "nps_sends"}[src]
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("nps: tag target: %w", err)
		}
		if n == 0 {
			return apperr.NotFound("comment", id)
		}
		now := s.now()
		// A hand tag replaces a rule's tag of the same topic, so it stays
		// when the rules are applied again.
		if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_tags WHERE source = ? AND item_id = ? AND topic = ?`, src, id, topic); err != nil {
			return err
		}
		if _, err := addTag(ctx, tx, src, id, topic, 0, actor.ID, now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, now, actor, "feedback.tag.add", src+":"+strconv.FormatInt(id, 10), map[string]any{"topic": topic})
	})
}

// RemoveTag takes a topic off a comment (a rule's tag returns when the
// rules are applied again).
func (s *Service) RemoveTag(ctx context.Context, actor authz.Actor, src string, id int64, topic string) error {
	if err := authz.Check(actor, authz.FeedbackManage); err != nil {
		return err
	}
	return s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM feedback_tags WHERE source = ? AND item_id = ? AND topic = ?`, src, id, NormTopic(topic)); err != nil {
			return fmt.Errorf("nps: untag: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "feedback.tag.remove", src+":"+strconv.FormatInt(id, 10), map[string]any{"topic": NormTopic(topic)})
	})
}

// tagsOf returns the tags of the given comments of one source.
func tagsOf(ctx context.Context, q db.Querier, src string, ids []int64) (map[int64][]Tag, error) {
	out := map[int64][]Tag{}
	if len(ids) == 0 {
		return out, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	args := []any{src}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, `SELECT item_id, topic, rule_id FROM feedback_tags WHERE source = ? AND item_id IN (`+ph+`) ORDER BY topic`, args...)
	if err != nil {
		return nil, fmt.Errorf("nps: tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, rule int64
		var t Tag
		if err := rows.Scan(&id, &t.Topic, &rule); err != nil {
			return nil, err
		}
		t.Manual = rule == 0
		out[id] = append(out[id], t)
	}
	return out, rows.Err()
}

// Topics lists every topic in use or in a rule, sorted.
func (s *Service) Topics(ctx context.Context, actor authz.Actor) ([]string, error) {
	if err := authz.Check(actor, authz.FeedbackRead); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT topic FROM feedback_rules UNION SELECT topic FROM feedback_tags`)
	if err != nil {
		return nil, fmt.Errorf("nps: topics: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sort.Strings(out)
	return out, rows.Err()
}

// TicketEvents tags a CSAT comment by the rules when a rating or comment
// arrives (ticket.EventHook), in the answering transaction.
func (s *Service) TicketEvents(ctx context.Context, tx *db.Tx, ticketID int64, events []ticket.Event) error {
	for _, e := range events {
		if e.Type != "csat_rated" && e.Type != "csat_commented" {
			continue
		}
		id, err := strconv.ParseInt(fmt.Sprint(e.Data["survey_id"]), 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		var lang, comment string
		if err := tx.QueryRowContext(ctx, `SELECT language, comment FROM csat_surveys WHERE id = ?`, id).Scan(&lang, &comment); err != nil {
			return fmt.Errorf("nps: csat survey %d: %w", id, err)
		}
		if err := s.tagByRules(ctx, tx, SourceCSAT, id, lang, comment, s.now()); err != nil {
			return err
		}
	}
	return nil
}
