package kb

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/audit"
	"github.com/ombud/ombud/internal/authz"
	"github.com/ombud/ombud/internal/db"
)

// Settings are the help center's branding and languages.
type Settings struct {
	Name             string    `json:"name"`
	LogoURL          string    `json:"logo_url"` // https or a path on this site
	Color            string    `json:"color"`    // #rrggbb, the header
	Accent           string    `json:"accent"`   // #rrggbb, links and buttons
	CustomCSS        string    `json:"custom_css"`
	FallbackLanguage string    `json:"fallback_language"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// DefaultSettings are used until an admin saves some. No name: the help
// center then calls itself "Help center" in the visitor's language.
var DefaultSettings = Settings{Color: "#1f3a5f", Accent: "#0b6bcb", FallbackLanguage: "en"}

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Settings returns the help center settings (anyone: the help center
// renders them).
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	st := DefaultSettings
	var updated int64
	err := s.db.QueryRowContext(ctx, `SELECT name, logo_url, color, accent, custom_css, fallback_language, updated_at FROM kb_settings WHERE id = 1`).
		Scan(&st.Name, &st.LogoURL, &st.Color, &st.Accent, &st.CustomCSS, &st.FallbackLanguage, &updated)
	if isNoRows(err) {
		return DefaultSettings, nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("kb: settings: %w", err)
	}
	st.UpdatedAt = db.Time(updated)
	return st, nil
}

// SaveSettings validates and stores the settings. The custom CSS is
// served as a stylesheet of this site, so the page's Content Security
// Policy still applies: it cannot load from elsewhere or run script.
func (s *Service) SaveSettings(ctx context.Context, actor authz.Actor, in Settings) (Settings, error) {
	if err := authz.Check(actor, authz.KBPublish); err != nil {
		return Settings{}, err
	}
	fe := apperr.FieldErrors{}
	in.Name = strings.TrimSpace(in.Name)
	if len(in.Name) > 100 {
		fe.Add("name", "is at most 100 characters")
	}
	if in.LogoURL = strings.TrimSpace(in.LogoURL); in.LogoURL != "" {
		u, err := url.Parse(in.LogoURL)
		if err != nil || len(in.LogoURL) > 500 || !(u.Scheme == "https" && u.Host != "" || u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/")) {
			fe.Add("logo_url", "must be an https address or a path on this site")
		}
	}
	for k, c := range map[string]*string{"color": &in.Color, "accent": &in.Accent} {
		if *c = strings.TrimSpace(*c); *c != "" && !hexColor.MatchString(*c) {
			fe.Add(k, "must be a colour like #1f3a5f")
		}
	}
	if len(in.CustomCSS) > MaxCSS {
		fe.Add("custom_css", fmt.Sprintf("is at most %d bytes", MaxCSS))
	}
	if strings.Contains(strings.ToLower(in.CustomCSS), "</") {
		fe.Add("custom_css", "must not contain markup")
	}
	if in.FallbackLanguage == "" {
		in.FallbackLanguage = "en"
	}
	if !ValidLanguage(in.FallbackLanguage) {
		fe.Add("fallback_language", "must be one of "+strings.Join(Languages(), ", "))
	}
	if err := fe.Err(); err != nil {
		return Settings{}, err
	}
	in.UpdatedAt = db.Time(db.Millis(s.now()))
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_settings (id, name, logo_url, color, accent, custom_css, fallback_language, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, logo_url = excluded.logo_url, color = excluded.color, accent = excluded.accent,
				custom_css = excluded.custom_css, fallback_language = excluded.fallback_language, updated_at = excluded.updated_at`,
			in.Name, in.LogoURL, in.Color, in.Accent, in.CustomCSS, in.FallbackLanguage, db.Millis(in.UpdatedAt)); err != nil {
			return fmt.Errorf("kb: save settings: %w", err)
		}
		return audit.Record(ctx, tx, s.now(), actor, "kb.settings", "kb", map[string]any{"name": in.Name, "fallback_language": in.FallbackLanguage})
	})
	if err != nil {
		return Settings{}, err
	}
	return in, nil
}

// File is an article's attachment or inline image.
type File struct {
	ID          int64  `json:"id"`
	ArticleID   int64  `json:"article_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"-"`
}

// URL is where the help center (public articles) and agents fetch the file;
// the path checks the article's visibility like the article itself.
func (f File) URL() string {
	return fmt.Sprintf("/help-files/%d/%s", f.ID, url.PathEscape(f.Filename))
}

// Markdown is the text to paste into an article: an image or a link.
func (f File) Markdown() string {
	if strings.HasPrefix(f.ContentType, "image/") {
		return fmt.Sprintf("![%s](%s)", f.Filename, f.URL())
	}
	return fmt.Sprintf("[%s](%s)", f.Filename, f.URL())
}

// AddFile stores a file for an article in the blob store.
func (s *Service) AddFile(ctx context.Context, actor authz.Actor, id int64, filename string, r io.Reader) (File, error) {
	if err := authz.Check(actor, authz.KBWrite); err != nil {
		return File{}, err
	}
	if s.blobs == nil {
		return File{}, apperr.Unprocessable("file", "file storage is not configured")
	}
	filename = path.Base(strings.ReplaceAll(strings.TrimSpace(filename), "\\", "/"))
	if filename == "" || filename == "." || filename == "/" || len(filename) > 200 {
		return File{}, apperr.InvalidField("filename", "is required, at most 200 characters")
	}
	ct := mime.TypeByExtension(strings.ToLower(path.Ext(filename)))
	if ct == "" {
		ct = "application/octet-stream"
	}
	if i := strings.IndexByte(ct, ';'); i > 0 {
		ct = ct[:i]
	}
	// SVG can carry script: served as a download, never inline.
	if ct == "image/svg+xml" {
		ct = "application/octet-stream"
	}
	var f File
	err := s.db.Write(ctx, func(tx *db.Tx) error {
		if _, _, err := s.editable(ctx, tx, actor, id); err != nil {
			return err
		}
		sum, size, err := s.blobs.Put(r, MaxFileSize)
		if err != nil {
			return apperr.InvalidField("file", fmt.Sprintf("could not be stored (at most %d MB)", MaxFileSize>>20))
		}
		fid, err := tx.InsertID(ctx, `INSERT INTO kb_files (article_id, filename, content_type, size, sha256, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, filename, ct, size, sum, actor.ID, db.Millis(s.now()))
		if err != nil {
			return fmt.Errorf("kb: file: %w", err)
		}
		f = File{ID: fid, ArticleID: id, Filename: filename, ContentType: ct, Size: size, SHA256: sum}
		return nil
	})
	return f, err
}

// Files lists an article's files.
func (s *Service) Files(ctx context.Context, v Viewer, id int64) ([]File, error) {
	if _, err := s.Get(ctx, v, id); err != nil {
		return nil, err
	}
	out := []File{}
	err := s.eachRow(ctx, `SELECT id, article_id, filename, content_type, size, sha256 FROM kb_files WHERE article_id = ? ORDER BY id`, []any{id}, func(sc func(...any) error) error {
		var f File
		if err := sc(&f.ID, &f.ArticleID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256); err != nil {
			return err
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// OpenFile returns a file and its content if the viewer may read its
// article (else not found).
func (s *Service) OpenFile(ctx context.Context, v Viewer, fileID int64) (File, io.ReadSeekCloser, error) {
	var f File
	err := s.db.QueryRowContext(ctx, `SELECT id, article_id, filename, content_type, size, sha256 FROM kb_files WHERE id = ?`, fileID).
		Scan(&f.ID, &f.ArticleID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256)
	if isNoRows(err) {
		return File{}, nil, apperr.NotFound("file", fileID)
	}
	if err != nil {
		return File{}, nil, fmt.Errorf("kb: file: %w", err)
	}
	if _, err := s.Get(ctx, v, f.ArticleID); err != nil {
		return File{}, nil, apperr.NotFound("file", fileID)
	}
	if s.blobs == nil {
		return File{}, nil, apperr.NotFound("file", fileID)
	}
	rc, err := s.blobs.Open(f.SHA256)
	if err != nil {
		return File{}, nil, fmt.Errorf("kb: open file %d: %w", fileID, err)
	}
	return f, rc, nil
}
