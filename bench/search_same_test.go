package bench

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// BenchmarkSearchSame serves the kept SQLite corpus (OMBUD_BENCH_SEARCH_DIR,
// OMBUD_BENCH_TICKETS) with two builds, OMBUD_BENCH_COMPARE_BIN and
// OMBUD_BENCH_SEARCH_BIN, and asks both the filtered classes' queries
// (a status or the corpus's tag with each of its five commonest words),
// the words alone, the requester names and a status most tickets pass
// with a word: the first two pages (25 each), their tickets in order, the
// total and whether it is estimated must be the same. It checks at scale
// what the reference tests check on a small corpus, for a change that
// must not move a ranking. It measures nothing.
//
//	OMBUD_BENCH_SEARCH_DIR=DIR OMBUD_BENCH_TICKETS=1000000 OMBUD_BENCH_COMPARE_BIN=old/ombud \
//	  OMBUD_BENCH_SEARCH_BIN=new/ombud go test ./bench/ -run '^$' -bench SearchSame -benchtime 1x
func BenchmarkSearchSame(b *testing.B) {
	keep, before, after := os.Getenv("OMBUD_BENCH_SEARCH_DIR"), os.Getenv("OMBUD_BENCH_COMPARE_BIN"), os.Getenv("OMBUD_BENCH_SEARCH_BIN")
	if keep == "" || before == "" || after == "" {
		b.Skip("OMBUD_BENCH_SEARCH_DIR, OMBUD_BENCH_COMPARE_BIN and OMBUD_BENCH_SEARCH_BIN name the corpus and the two builds")
	}
	work := filepath.Join(keep, fmt.Sprintf("sqlite-%d", envInt("OMBUD_BENCH_TICKETS", 100000)))
	qs := keptQueries(b, work)
	env := []string{"OMBUD_DATA=" + filepath.Join(work, "data")}
	servers := []*server{serve(b, before, env), serve(b, after, env)}
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	top := qs.Common[:min(5, len(qs.Common))]
	var queries []string
	for _, w := range top {
		queries = append(queries, "status:open "+w, "tag:"+qs.Tag+" "+w, w, "status:pending "+w, "status:open tag:"+qs.Tag+" "+w)
	}
	queries = append(queries, qs.Names...)
	hc := &http.Client{Timeout: 60 * time.Second}
	type answer struct {
		Data []struct {
			ID int64 `json:"id"`
		} `json:"data"`
		NextCursor     *string `json:"next_cursor"`
		Total          *int64  `json:"total"`
		TotalEstimated bool    `json:"total_estimated"`
	}
	differ := 0
	for _, q := range queries {
		var got [2][]string
		for i, s := range servers {
			cursor := ""
			for range 2 {
				var a answer
				u := s.url + "/api/v1/search?limit=25&q=" + url.QueryEscape(q)
				if cursor != "" {
					u += "&cursor=" + url.QueryEscape(cursor)
				}
				if err := requestJSON(hc, "GET", u, s.token, nil, 200, &a); err != nil {
					b.Fatalf("%q: %v", q, err)
				}
				ids := make([]int64, len(a.Data))
				for j, t := range a.Data {
					ids[j] = t.ID
				}
				total := "nil"
				if a.Total != nil {
					total = fmt.Sprint(*a.Total)
				}
				got[i] = append(got[i], fmt.Sprintf("%v total %s estimated %v", ids, total, a.TotalEstimated))
				if a.NextCursor == nil {
					break
				}
				cursor = *a.NextCursor
			}
		}
		if !slices.Equal(got[0], got[1]) {
			differ++
			b.Errorf("%q:\nbefore %v\nafter  %v", q, got[0], got[1])
		}
	}
	fmt.Printf("%d queries, two pages each: %d differ\n", len(queries), differ)
}
