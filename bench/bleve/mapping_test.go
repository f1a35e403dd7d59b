package bleve

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
)

// TestMappingAnswers checks on a small in-memory index that the mapping
// and the query translation find what FTS5 would: tokens split like
// unicode61, diacritics folded, case ignored, phrases by position,
// status and tags as exact keywords, newest first.
func TestMappingAnswers(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleve.NewMemOnly(m)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	docs := []ticketDoc{
		{ID: 1, Text: []string{"Order 123456 late", "Hei, ikke mottatt pakken"}, Status: "open", Tags: []string{"shipping"}, Created: 100},
		{ID: 2, Text: []string{"Refund please", "Kind regards, Ana (ana.b@example.com)"}, Status: "solved", Tags: []string{"refund", "billing"}, Created: 200},
		{ID: 3, Text: []string{"Café closed?", "regards kind"}, Status: "open", Tags: []string{"billing"}, Created: 300},
	}
	for _, d := range docs {
		if err := idx.Index(docID(d.ID), d); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		q    string
		want []string // newest first
	}{
		{"123456", []string{"1"}},
		{"regards", []string{"3", "2"}},
		{"REGARDS kind", []string{"3", "2"}},
		{`"kind regards"`, []string{"2"}},
		{"cafe", []string{"3"}},
		{"example", []string{"2"}},
		{"status:open tag:billing", []string{"3"}},
		{"status:open regards", []string{"3"}},
		{"tag:billing regards", []string{"3", "2"}},
		{"ikke regards", nil},
	}
	for _, tc := range tests {
		t.Run(tc.q, func(t *testing.T) {
			q, _, err := bleveQuery(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			// Scored or not ("none" lets Bleve intersect bitmaps), the
			// same tickets in the same order.
			for _, score := range []string{"", "none"} {
				req := bleve.NewSearchRequestOptions(q, 25, 0, false)
				req.SortBy([]string{"-created"})
				req.Score = score
				res, err := idx.SearchInContext(context.Background(), req)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, h := range res.Hits {
					got = append(got, h.ID)
				}
				if !slices.Equal(got, tc.want) || res.Total != uint64(len(tc.want)) {
					t.Errorf("%q, score %q: got %v (total %d), want %v", tc.q, score, got, res.Total, tc.want)
				}
			}
		})
	}
}
