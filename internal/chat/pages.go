package chat

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// MaxPagePatterns is how many patterns each page list holds.
const MaxPagePatterns = 50

// URL patterns are globs where * matches any characters. A pattern that
// starts with / matches the page's path (with or without its query);
// any other matches the whole URL. Invitation rules and the widget's page
// lists share them; static/widget.js matches them the same way (urlOK).

// checkPattern trims a URL pattern and says what is wrong with it ("" if
// nothing).
func checkPattern(p string) (string, string) {
	p = strings.TrimSpace(p)
	if len(p) > MaxURLPattern || strings.ContainsAny(p, " \t\r\n<>\"") {
		return p, fmt.Sprintf("must be a URL or path pattern without spaces, at most %d characters", MaxURLPattern)
	}
	return p, ""
}

func globRE(p string) *regexp.Regexp {
	parts := strings.Split(p, "*")
	for i, s := range parts {
		parts[i] = regexp.QuoteMeta(s)
	}
	return regexp.MustCompile(`^` + strings.Join(parts, `.*`) + `$`)
}

// MatchURL reports whether the page at href matches pattern ("" matches
// every page).
func MatchURL(pattern, href string) bool {
	if pattern == "" {
		return true
	}
	re := globRE(pattern)
	if !strings.HasPrefix(pattern, "/") {
		return re.MatchString(href)
	}
	path, query := href, ""
	if i := strings.Index(path, "://"); i >= 0 {
		path = path[i+3:]
		if j := strings.IndexByte(path, '/'); j >= 0 {
			path = path[j:]
		} else {
			path = "/"
		}
	}
	if i := strings.IndexByte(path, '#'); i >= 0 {
		path = path[:i]
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path, query = path[:i], path[i:]
	}
	return re.MatchString(path+query) || re.MatchString(path)
}

// PageRules are the pages the widget appears on: on a page matching one
// of ShowOn (or any page when ShowOn is empty), unless it matches one of
// HideOn.
type PageRules struct {
	ShowOn []string `json:"show_on"`
	HideOn []string `json:"hide_on"`
}

// Shown reports whether the widget appears on the page at href.
func (p PageRules) Shown(href string) bool {
	shown := len(p.ShowOn) == 0
	for _, pat := range p.ShowOn {
		if MatchURL(pat, href) {
			shown = true
			break
		}
	}
	for _, pat := range p.HideOn {
		if MatchURL(pat, href) {
			return false
		}
	}
	return shown
}

func (p *PageRules) validate() error {
	fe := apperr.FieldErrors{}
	for _, f := range []struct {
		name string
		list *[]string
	}{{"show_on", &p.ShowOn}, {"hide_on", &p.HideOn}} {
		if fe.MaxItems(f.name, len(*f.list), MaxPagePatterns) {
			continue
		}
		clean := []string{}
		for _, pat := range *f.list {
			pat, msg := checkPattern(pat)
			if msg != "" {
				fe.Add(f.name, msg)
				break
			}
			if pat != "" {
				clean = append(clean, pat)
			}
		}
		*f.list = clean
	}
	return fe.Err()
}

func readPages(ctx context.Context, q db.Querier) (PageRules, error) {
	var show, hide string
	err := q.QueryRowContext(ctx, `SELECT show_on, hide_on FROM chat_page_rules WHERE id = 1`).Scan(&show, &hide)
	if errors.Is(err, sql.ErrNoRows) {
		return PageRules{ShowOn: []string{}, HideOn: []string{}}, nil
	}
	if err != nil {
		return PageRules{}, fmt.Errorf("chat: page rules: %w", err)
	}
	return PageRules{ShowOn: lines(show), HideOn: lines(hide)}, nil
}

func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// PageRules returns the pages the widget appears on (anyone: the widget
// reads them).
func (s *Service) PageRules(ctx context.Context) (PageRules, error) {
	return readPages(ctx, s.db)
}

// PageRulesFor returns the page rules for the admin page and the API.
func (s *Service) PageRulesFor(ctx context.Context, actor authz.Actor) (PageRules, error) {
	if err := authz.Check(actor, authz.ChannelRead); err != nil {
		return PageRules{}, err
	}
	return readPages(ctx, s.db)
}

// PutPageRules replaces the page rules (admins: channel.write).
func (s *Service) PutPageRules(ctx context.Context, actor authz.Actor, in PageRules) (PageRules, error) {
	if err := authz.Check(actor, authz.ChannelWrite); err != nil {
		return PageRules{}, err
	}
	if err := in.validate(); err != nil {
		return PageRules{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		before, err := readPages(ctx, tx)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM chat_page_rules WHERE id = 1`); err != nil {
			return fmt.Errorf("chat: save page rules: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_page_rules (id, show_on, hide_on, updated_at) VALUES (1, ?, ?, ?)`,
			strings.Join(in.ShowOn, "\n"), strings.Join(in.HideOn, "\n"), db.Millis(s.now())); err != nil {
			return fmt.Errorf("chat: save page rules: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "chat.pages", "chat", audit.Change(before, in))
	})
	if err != nil {
		return PageRules{}, err
	}
	return in, nil
}
