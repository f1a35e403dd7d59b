package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
	"github.com/ombud/ombud/internal/kb"
	"github.com/ombud/ombud/internal/page"
	"github.com/ombud/ombud/internal/web/httpx"
)

// Knowledge base articles (docs/knowledge.md); the kb service checks the
// permissions and what the caller may see.

// ArticleListParams are the query parameters of GET /api/v1/articles.
func ArticleListParams() []string {
	return []string{"q", "state", "section_id", "language", "tag", "visibility", "outdated", "limit"}
}

// ArticleList is the answer of GET /api/v1/articles: one page of hits and,
// when the query found nothing as typed and its misspelt words were
// corrected against the article titles, the corrected query the hits are
// for (the help center's "Did you mean").
type ArticleList struct {
	Data       []kb.Hit `json:"data"`
	NextCursor *string  `json:"next_cursor"`
	DidYouMean string   `json:"did_you_mean,omitempty" doc:"the corrected query the hits are for, when q found nothing as typed (words outside the titles' vocabulary replaced by the closest title word); absent otherwise"`
}

// maxArticleQuery bounds q, as the help center's search box does.
const maxArticleQuery = 200

// ListArticles answers GET /api/v1/articles: a search (q) or the newest
// changes, filtered. One page: a search returns its best matches; a
// search that finds nothing is tried again with its typos corrected, as
// the help center does, and says so in did_you_mean.
func (a *API) ListArticles(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if len(q.Get("q")) > maxArticleQuery {
		return apperr.InvalidField("q", "must be at most 200 characters")
	}
	if o := q.Get("outdated"); o != "" && o != "true" && o != "false" {
		return apperr.InvalidField("outdated", "must be true or false")
	}
	f := kb.Filter{Query: strings.TrimSpace(q.Get("q")), State: q.Get("state"), Language: q.Get("language"), Tag: q.Get("tag"), Visibility: q.Get("visibility"), Outdated: q.Get("outdated") == "true"}
	if s := q.Get("section_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return apperr.InvalidField("section_id", "must be a section id")
		}
		f.SectionID = n
	}
	pr, err := page.Parse(q.Get("limit"), "")
	if err != nil {
		return err
	}
	f.Limit = pr.Limit
	res, err := a.KB.Find(r.Context(), kb.Viewer{Actor: httpx.Actor(r.Context())}, f)
	if err != nil {
		return err
	}
	if res.Hits == nil {
		res.Hits = []kb.Hit{}
	}
	return httpx.WriteJSON(w, http.StatusOK, ArticleList{Data: res.Hits, DidYouMean: res.DidYouMean})
}

// CreateArticle answers POST /api/v1/articles: a draft.
func (a *API) CreateArticle(w http.ResponseWriter, r *http.Request) error {
	var in kb.ArticleInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	art, err := a.KB.Create(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, art)
}

// GetArticle answers GET /api/v1/articles/{id}.
func (a *API) GetArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	art, err := a.KB.Get(r.Context(), kb.Viewer{Actor: httpx.Actor(r.Context())}, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, art)
}

// PutArticleSettings answers PUT /api/v1/articles/{id}/settings: section,
// source language, visibility, teams, organizations, tags, owner, verify-by.
func (a *API) PutArticleSettings(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	var m kb.Meta
	if err := httpx.DecodeJSON(r, &m); err != nil {
		return err
	}
	art, err := a.KB.UpdateMeta(r.Context(), httpx.Actor(r.Context()), id, m)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, art)
}

// PutArticleText answers PUT /api/v1/articles/{id}/translations/{language}:
// the text in that language, saved as a new version.
func (a *API) PutArticleText(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	var in kb.TextInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	in.Language = r.PathValue("language")
	art, err := a.KB.SaveText(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, art)
}

// StateInput moves an article to another state.
type StateInput struct {
	State string `json:"state"`
}

// SetArticleState answers POST /api/v1/articles/{id}/state.
func (a *API) SetArticleState(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	var in StateInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	art, err := a.KB.Transition(r.Context(), httpx.Actor(r.Context()), id, in.State)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, art)
}

// ListArticleVersions answers GET /api/v1/articles/{id}/versions?language=.
func (a *API) ListArticleVersions(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "article")
	if err != nil {
		return err
	}
	lang := r.URL.Query().Get("language")
	if lang == "" {
		art, err := a.KB.Get(r.Context(), kb.Viewer{Actor: httpx.Actor(r.Context())}, id)
		if err != nil {
			return err
		}
		lang = art.SourceLanguage
	}
	vs, err := a.KB.Versions(r.Context(), httpx.Actor(r.Context()), id, lang)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []kb.Version{}
	}
	return httpx.WriteJSON(w, http.StatusOK, page.List[kb.Version]{Data: vs})
}

// ListKBCategories answers GET /api/v1/kb/categories: categories with
// their sections and article counts.
func (a *API) ListKBCategories(w http.ResponseWriter, r *http.Request) error {
	tree, err := a.KB.Tree(r.Context(), kb.Viewer{Actor: httpx.Actor(r.Context())})
	if err != nil {
		return err
	}
	if tree == nil {
		tree = []kb.Category{}
	}
	return httpx.WriteJSON(w, http.StatusOK, page.List[kb.Category]{Data: tree})
}

// CreateKBCategory answers POST /api/v1/kb/categories.
func (a *API) CreateKBCategory(w http.ResponseWriter, r *http.Request) error {
	var in kb.GroupInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := a.KB.CreateCategory(r.Context(), httpx.Actor(r.Context()), in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, c)
}

// CreateKBSection answers POST /api/v1/kb/categories/{id}/sections.
func (a *API) CreateKBSection(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id", "category")
	if err != nil {
		return err
	}
	var in kb.GroupInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	s, err := a.KB.CreateSection(r.Context(), httpx.Actor(r.Context()), id, in)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusCreated, s)
}
