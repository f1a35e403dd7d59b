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

// Name is a category's or section's name in one language.
type Name struct {
	Language    string `json:"language"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
}

// Category groups sections.
type Category struct {
	ID       int64     `json:"id"`
	Position int       `json:"position"`
	Names    []Name    `json:"names"`
	Sections []Section `json:"sections,omitempty"`
	Articles int       `json:"articles"` // visible to the viewer, all sections
}

// Section groups articles.
type Section struct {
	ID         int64  `json:"id"`
	CategoryID int64  `json:"category_id"`
	Position   int    `json:"position"`
	Names      []Name `json:"names"`
	Articles   int    `json:"articles"` // visible to the viewer
}

// In returns the name in lang, else fallback, else the first.
func In(names []Name, lang, fallback string) Name {
	for _, l := range []string{lang, fallback} {
		for _, n := range names {
			if n.Language == l {
				return n
			}
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return Name{}
}

// GroupInput creates or replaces a category or section: its position and
// its names (one per language, at least one).
type GroupInput struct {
	Position int    `json:"position"`
	Names    []Name `json:"names"`
}

func (in *GroupInput) validate() error {
	fe := apperr.FieldErrors{}
	if fe.MaxItems("names", len(in.Names), 20) { // a catalogued limit; the languages are checked below
		return fe.Err()
	}
	seen := map[string]bool{}
	var names []Name
	for _, n := range in.Names {
		n.Name, n.Description = strings.TrimSpace(n.Name), strings.TrimSpace(n.Description)
		if n.Name == "" {
			continue
		}
		switch {
		case !ValidLanguage(n.Language):
			fe.Add("names", "language must be one of "+strings.Join(Languages(), ", "))
		case seen[n.Language]:
			fe.Add("names", "one name per language")
		case len(n.Name) > 100:
			fe.Add("names", "a name is at most 100 characters")
		case len(n.Description) > 500:
			fe.Add("names", "a description is at most 500 characters")
		}
		seen[n.Language] = true
		n.Slug = Slugify(n.Name)
		names = append(names, n)
	}
	if len(names) == 0 && fe.Err() == nil {
		fe.Add("names", "is required")
	}
	in.Names = names
	return fe.Err()
}

// CreateCategory adds a category.
func (s *Service) CreateCategory(ctx context.Context, actor authz.Actor, in GroupInput) (Category, error) {
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return Category{}, err
	}
	if err := in.validate(); err != nil {
		return Category{}, err
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var err error
		if id, err = tx.InsertID(ctx, `INSERT INTO kb_categories (position, created_at) VALUES (?, ?)`, in.Position, db.Millis(s.now())); err != nil {
			return fmt.Errorf("kb: create category: %w", err)
		}
		if err := putNames(ctx, tx, "category", id, in.Names); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.category.create", fmt.Sprintf("kb_category:%d", id), map[string]any{"names": in.Names})
	})
	if err != nil {
		return Category{}, err
	}
	return Category{ID: id, Position: in.Position, Names: in.Names}, nil
}

// UpdateCategory replaces a category's position and names.
func (s *Service) UpdateCategory(ctx context.Context, actor authz.Actor, id int64, in GroupInput) (Category, error) {
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return Category{}, err
	}
	if err := in.validate(); err != nil {
		return Category{}, err
	}
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE kb_categories SET position = ? WHERE id = ?`, in.Position, id)
		if err != nil {
			return fmt.Errorf("kb: update category: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("category", id)
		}
		return putNames(ctx, tx, "category", id, in.Names)
	})
	if err != nil {
		return Category{}, err
	}
	return Category{ID: id, Position: in.Position, Names: in.Names}, nil
}

// CreateSection adds a section to a category.
func (s *Service) CreateSection(ctx context.Context, actor authz.Actor, categoryID int64, in GroupInput) (Section, error) {
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return Section{}, err
	}
	if err := in.validate(); err != nil {
		return Section{}, err
	}
	var id int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM kb_categories WHERE id = ?`, categoryID).Scan(&one); err != nil {
			if isNoRows(err) {
				return apperr.InvalidField("category_id", "no such category")
			}
			return fmt.Errorf("kb: create section: %w", err)
		}
		var err error
		if id, err = tx.InsertID(ctx, `INSERT INTO kb_sections (category_id, position, created_at) VALUES (?, ?, ?)`, categoryID, in.Position, db.Millis(s.now())); err != nil {
			return fmt.Errorf("kb: create section: %w", err)
		}
		if err := putNames(ctx, tx, "section", id, in.Names); err != nil {
			return err
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.section.create", fmt.Sprintf("kb_section:%d", id), map[string]any{"names": in.Names, "category_id": categoryID})
	})
	if err != nil {
		return Section{}, err
	}
	return Section{ID: id, CategoryID: categoryID, Position: in.Position, Names: in.Names}, nil
}

// UpdateSection replaces a section's position and names.
func (s *Service) UpdateSection(ctx context.Context, actor authz.Actor, id int64, in GroupInput) (Section, error) {
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return Section{}, err
	}
	if err := in.validate(); err != nil {
		return Section{}, err
	}
	var cat int64
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT category_id FROM kb_sections WHERE id = ?`, id).Scan(&cat); err != nil {
			if isNoRows(err) {
				return apperr.NotFound("section", id)
			}
			return fmt.Errorf("kb: update section: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_sections SET position = ? WHERE id = ?`, in.Position, id); err != nil {
			return fmt.Errorf("kb: update section: %w", err)
		}
		return putNames(ctx, tx, "section", id, in.Names)
	})
	if err != nil {
		return Section{}, err
	}
	return Section{ID: id, CategoryID: cat, Position: in.Position, Names: in.Names}, nil
}

func putNames(ctx context.Context, tx *db.Tx, kind string, id int64, names []Name) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_names WHERE kind = ? AND ref_id = ?`, kind, id); err != nil {
		return fmt.Errorf("kb: names: %w", err)
	}
	for _, n := range names {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_names (kind, ref_id, language, name, slug, description) VALUES (?, ?, ?, ?, ?, ?)`,
			kind, id, n.Language, n.Name, n.Slug, n.Description); err != nil {
			return fmt.Errorf("kb: names: %w", err)
		}
	}
	return nil
}

// Tree returns every category with its sections, each with the number of
// articles the viewer may read (the help center hides empty ones).
func (s *Service) Tree(ctx context.Context, v Viewer) ([]Category, error) {
	names := map[string][]Name{}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, ref_id, language, name, slug, description FROM kb_names ORDER BY kind, ref_id, language`)
	if err != nil {
		return nil, fmt.Errorf("kb: tree: %w", err)
	}
	for rows.Next() {
		var kind string
		var id int64
		var n Name
		if err := rows.Scan(&kind, &id, &n.Language, &n.Name, &n.Slug, &n.Description); err != nil {
			rows.Close()
			return nil, fmt.Errorf("kb: tree: %w", err)
		}
		key := fmt.Sprintf("%s:%d", kind, id)
		names[key] = append(names[key], n)
	}
	rows.Close()
	counts := map[int64]int{}
	where, args := v.filter()
	rows, err = s.db.QueryContext(ctx, `SELECT a.section_id, COUNT(*) FROM kb_articles a WHERE `+where+` GROUP BY a.section_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("kb: tree counts: %w", err)
	}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("kb: tree counts: %w", err)
		}
		counts[id] = n
	}
	rows.Close()
	var cats []Category
	rows, err = s.db.QueryContext(ctx, `SELECT id, position FROM kb_categories ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("kb: tree: %w", err)
	}
	for rows.Next() {
		var c Category
		if err := rows.Scan(&c.ID, &c.Position); err != nil {
			rows.Close()
			return nil, fmt.Errorf("kb: tree: %w", err)
		}
		c.Names = names[fmt.Sprintf("category:%d", c.ID)]
		cats = append(cats, c)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT id, category_id, position FROM kb_sections ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("kb: tree: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.ID, &sec.CategoryID, &sec.Position); err != nil {
			return nil, fmt.Errorf("kb: tree: %w", err)
		}
		sec.Names = names[fmt.Sprintf("section:%d", sec.ID)]
		sec.Articles = counts[sec.ID]
		for i := range cats {
			if cats[i].ID == sec.CategoryID {
				cats[i].Sections = append(cats[i].Sections, sec)
				cats[i].Articles += sec.Articles
			}
		}
	}
	return cats, rows.Err()
}
