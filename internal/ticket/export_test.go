package ticket

// SetSearchCandidates lets tests bound a search's candidates low enough to
// cross the bound on a small corpus.
func (s *Service) SetSearchCandidates(n int) { s.searchCandidates = n }

// SearchWalkFactor is walkFactor, for the reference ranking.
const SearchWalkFactor = walkFactor
