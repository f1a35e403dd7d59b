package zendesk

import (
	"net/http"
	"strconv"

	"github.com/ombud/ombud/internal/page"
)

// Zendesk pages two ways, and so does this package:
//
//   - offset: ?page=2&per_page=50, answered with next_page and
//     previous_page (URLs or null) and count;
//   - cursor: ?page[size]=50&page[after]=…, answered with
//     meta {has_more, after_cursor, before_cursor} and links {next, prev}.
//
// A request with any page[…] parameter is a cursor request. Offset pages
// are walked over Ombud's keyset lists, so they stop where Zendesk's do:
// at 10,000 records (page × per_page), and count stops there too.
const (
	maxPageSize  = 100
	maxOffsetRow = 10000
)

// pager is a request's pagination.
type pager struct {
	cursor  bool
	size    int
	after   string
	page    int
	perPage int
	// countCap is where counting stops (maxOffsetRow unless set).
	countCap int
}

func readPager(r *http.Request, defaultSize int) (pager, error) {
	q := r.URL.Query()
	p := pager{page: 1, perPage: defaultSize, size: defaultSize}
	if q.Has("page[before]") {
		return p, badRequest("InvalidPaginationParameter", "page[before] is not supported: page forwards with page[after]")
	}
	if q.Has("page[size]") || q.Has("page[after]") {
		p.cursor = true
		if v := q.Get("page[size]"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > maxPageSize {
				return p, badRequest("InvalidPaginationParameter", "page[size] must be a whole number from 1 to 100")
			}
			p.size = n
		}
		p.after = q.Get("page[after]")
		return p, nil
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return p, badRequest("InvalidPaginationParameter", "per_page must be a whole number from 1 to 100")
		}
		p.perPage = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, badRequest("InvalidPaginationParameter", "page must be a whole number from 1")
		}
		p.page = n
	}
	if p.page*p.perPage > maxOffsetRow {
		return p, badRequest("InvalidPaginationParameter", "offset pagination stops at 10000 records; use cursor pagination (page[size], page[after])")
	}
	return p, nil
}

// fetchFunc reads one page of an Ombud list.
type fetchFunc[T any] func(pr page.Request) (page.List[T], error)

// paged is one page of results and the pagination fields of its answer.
type paged[T any] struct {
	items  []T
	fields map[string]any
}

// paginate reads the page p asks for. count, when not nil, counts every
// match (offset pages only); otherwise the walk counts up to 10,000.
func paginate[T any](r *http.Request, base string, p pager, fetch fetchFunc[T], count func() (int, error)) (paged[T], error) {
	if p.cursor {
		pr, err := page.Parse(strconv.Itoa(p.size), p.after)
		if err != nil {
			return paged[T]{}, badRequest("InvalidPaginationParameter", "page[after] is not a cursor returned by this list")
		}
		list, err := fetch(pr)
		if err != nil {
			return paged[T]{}, err
		}
		var next any
		if list.NextCursor != nil {
			next = pageURL(r, base, map[string]string{"page[after]": *list.NextCursor, "page[size]": strconv.Itoa(p.size)})
		}
		return paged[T]{items: list.Data, fields: map[string]any{
			"meta":  map[string]any{"has_more": list.NextCursor != nil, "after_cursor": list.NextCursor, "before_cursor": nil},
			"links": map[string]any{"next": next, "prev": nil},
		}}, nil
	}
	skip := (p.page - 1) * p.perPage
	counting := count == nil
	limit := p.countCap
	if limit == 0 {
		limit = maxOffsetRow
	}
	items, seen, more, err := walk(fetch, skip, p.perPage, counting, limit)
	if err != nil {
		return paged[T]{}, err
	}
	total := seen
	if !counting {
		if total, err = count(); err != nil {
			return paged[T]{}, err
		}
	}
	var next, prev any
	if more {
		next = pageURL(r, base, map[string]string{"page": strconv.Itoa(p.page + 1), "per_page": strconv.Itoa(p.perPage)})
	}
	if p.page > 1 {
		prev = pageURL(r, base, map[string]string{"page": strconv.Itoa(p.page - 1), "per_page": strconv.Itoa(p.perPage)})
	}
	return paged[T]{items: items, fields: map[string]any{"next_page": next, "previous_page": prev, "count": total}}, nil
}

// walk reads rows skip … skip+take-1 of a keyset list, 100 at a time.
// more says whether a row follows them; seen is how many rows there are,
// when counting (up to limit), else how many were read.
func walk[T any](fetch fetchFunc[T], skip, take int, counting bool, limit int) (items []T, seen int, more bool, err error) {
	items = []T{}
	var cursor *page.Cursor
	for {
		list, err := fetch(page.Request{Limit: page.MaxLimit, Cursor: cursor})
		if err != nil {
			return nil, 0, false, err
		}
		for _, row := range list.Data {
			switch {
			case seen >= skip && seen < skip+take:
				items = append(items, row)
			case seen >= skip+take:
				more = true
			}
			seen++
			if more && (!counting || seen > limit) {
				return items, min(seen, limit), more, nil
			}
		}
		if list.NextCursor == nil {
			return items, seen, more, nil
		}
		if cursor, err = page.Decode(*list.NextCursor); err != nil {
			return nil, 0, false, err
		}
	}
}

// pageURL is the request's URL with some query parameters set.
func pageURL(r *http.Request, base string, set map[string]string) string {
	q := r.URL.Query()
	for k, v := range set {
		q.Set(k, v)
	}
	return base + r.URL.Path + "?" + q.Encode()
}

// with adds the pagination fields to an answer.
func with(fields map[string]any, key string, items any) map[string]any {
	out := map[string]any{key: items}
	for k, v := range fields {
		out[k] = v
	}
	return out
}
