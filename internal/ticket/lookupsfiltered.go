package ticket

import (
	"context"
	"slices"
)

// A filtered search whose text names someone — `tag:billing ingrid`, a
// first name as common as a common word — ranks first the named tickets
// that pass its filters: every lookup's score (1e8 and up) outranks every
// text score, as without filters (ranklookups.go). So when the lookups'
// tickets that pass fill the ranks the page asks for, the subject and
// comment walks cannot change the page, and are not read: at 1M tickets
// the named customers' newest 1,200 tickets hold 228–234 with the tag
// billing, and 20–36 open ones, where a page of 25 needs 26; the walks,
// their filter tests and their texts were ≈ 40 % of such a search's CPU
// (docs/benchmarks.md, 2026-12-07 17:20). The page and the ranks after it
// are those the walks would give: the lookups read, keep and score the
// same tickets either way, and a page past them walks the text as before.
// The total is then an estimate: the lookups' own, plus the tickets not
// among them that the text finds and that pass the filters, counted in the
// widest sample of the newest tickets (sampleText) and scaled to all.

// filteredLookupsFirstOK reports whether a filtered search reads its
// lookups before its walks: it names someone, and the page asks for ranks.
func (s *Service) filteredLookupsFirstOK(tq textQuery, need int) bool {
	return !s.noLookupsFirst.Load() && need > 0 && len(tq.customers)+len(tq.named)+len(tq.orgs) > 0
}

// filteredLookupsDone reports whether the lookups gathered into c, tested
// by f, fill need ranks; if they do, c's total becomes an estimate that
// counts the mentions passing the filters.
func (s *Service) filteredLookupsDone(ctx context.Context, c *candidates, w *where, tq textQuery, f *batchFilter, need int) (bool, error) {
	if len(c.hits) < need {
		return false, nil
	}
	named := func(id int64) bool {
		if _, ok := c.hits[id]; ok {
			return true
		}
		// The named tickets not kept (untested, or past the page's
		// ranks) are the lookups' too.
		for _, ids := range c.windows {
			if _, ok := slices.BinarySearchFunc(ids, id, func(a, b int64) int { return cmpInt(b, a) }); ok {
				return true
			}
		}
		return false
	}
	mentions, err := s.sampleText(ctx, c, w, tq, passTest{batch: f, except: named}, nil)
	if err != nil {
		return false, err
	}
	s.rankedFromLookups(c, mentions)
	return true, nil
}
