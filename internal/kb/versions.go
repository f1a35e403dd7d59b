package kb

import (
	"context"
	"fmt"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Version is one save of a translation.
type Version struct {
	Language   string `json:"language"`
	Version    int    `json:"version"`
	Title      string `json:"title"`
	Summary    string `json:"summary"`
	Body       string `json:"body"`
	AuthorID   int64  `json:"author_id"`
	AuthorName string `json:"author_name"`
	Note       string `json:"note"`
	CreatedAt  int64  `json:"-"`
}

// Versions lists an article's versions in lang, newest first.
func (s *Service) Versions(ctx context.Context, actor authz.Actor, id int64, lang string) ([]Version, error) {
	if err := authz.Check(actor, authz.KBRead); err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, Viewer{Actor: actor}, id); err != nil {
		return nil, err
	}
	var out []Version
	err := s.eachRow(ctx, `SELECT v.language, v.version, v.title, v.summary, v.body, v.author_id, COALESCE(ag.name, ''), v.note, v.created_at
		FROM kb_versions v LEFT JOIN agents ag ON ag.id = v.author_id WHERE v.article_id = ? AND v.language = ? ORDER BY v.version DESC`, []any{id, lang},
		func(sc func(...any) error) error {
			var v Version
			if err := sc(&v.Language, &v.Version, &v.Title, &v.Summary, &v.Body, &v.AuthorID, &v.AuthorName, &v.Note, &v.CreatedAt); err != nil {
				return err
			}
			out = append(out, v)
			return nil
		})
	return out, err
}

// GetVersion returns one version.
func (s *Service) GetVersion(ctx context.Context, actor authz.Actor, id int64, lang string, n int) (Version, error) {
	vs, err := s.Versions(ctx, actor, id, lang)
	if err != nil {
		return Version{}, err
	}
	for _, v := range vs {
		if v.Version == n {
			return v, nil
		}
	}
	return Version{}, apperr.NotFound("version", n)
}

// Restore saves an old version's text as the newest version.
func (s *Service) Restore(ctx context.Context, actor authz.Actor, id int64, lang string, n int) (Article, error) {
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return Article{}, err
	}
	v, err := s.GetVersion(ctx, actor, id, lang, n)
	if err != nil {
		return Article{}, err
	}
	err = s.db.Write(ctx, func(tx *db.Tx) error {
		_, source, err := s.editable(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		in := TextInput{Language: lang, Title: v.Title, Summary: v.Summary, Body: v.Body, Note: fmt.Sprintf("restored version %d", n)}
		nv, err := s.saveText(ctx, tx, actor, id, source, in)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.article.restore", fmt.Sprintf("kb_article:%d", id), map[string]any{"language": lang, "restored": n, "version": nv})
	})
	if err != nil {
		return Article{}, err
	}
	return s.Get(ctx, Viewer{Actor: actor}, id)
}

// DiffLine is one line of a diff: Op is " " (both), "-" (only in the
// older text) or "+" (only in the newer).
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// maxDiffLines bounds the quadratic table; longer texts compare as a
// whole replacement.
const maxDiffLines = 2000

// Diff compares two texts line by line (longest common subsequence).
func Diff(older, newer string) []DiffLine {
	a, b := strings.Split(older, "\n"), strings.Split(newer, "\n")
	if len(a)*len(b) > maxDiffLines*maxDiffLines/4 {
		out := make([]DiffLine, 0, len(a)+len(b))
		for _, l := range a {
			out = append(out, DiffLine{"-", l})
		}
		for _, l := range b {
			out = append(out, DiffLine{"+", l})
		}
		return out
	}
	// lcs[i][j] is the common length of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{" ", a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{"-", a[i]})
			i++
		default:
			out = append(out, DiffLine{"+", b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, DiffLine{"-", a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, DiffLine{"+", b[j]})
	}
	return out
}
