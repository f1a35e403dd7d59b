package qa

import (
	"fmt"
	"math"

	"github.com/ombud/ombud/internal/apperr"
)

// Rating is one category's rating in a review. Rating nil means "not
// applicable": the category is left out of the score (a critical
// category cannot be left out).
type Rating struct {
	CategoryID int64  `json:"category_id"`
	Rating     *int   `json:"rating"`
	Comment    string `json:"comment"`
}

// Result is a scored review.
type Result struct {
	Score          float64 // 0–100, rounded to two decimals
	CriticalFailed bool
}

// Score computes a review's score from its scorecard's categories and
// the ratings (docs/metrics.md, "QA score"):
//
//	each rated category's share  n = (rating − lowest) / (highest − lowest)
//	                             (binary: fail 0, pass 1; 1–3: 0, ½, 1; 1–5: 0, ¼, ½, ¾, 1)
//	score                        = 100 × Σ(weight × n) / Σ(weight)   over the rated categories
//	a critical category rated at its lowest fails the review: score 0
//
// complete=true requires a rating (or "not applicable") for every
// category, as submitting does; a draft may leave some out.
func Score(cats []Category, ratings []Rating, complete bool) (Result, error) {
	byID := map[int64]Rating{}
	fe := apperr.FieldErrors{}
	for _, r := range ratings {
		byID[r.CategoryID] = r
	}
	var sum, weights float64
	res := Result{}
	for i, c := range cats {
		r, ok := byID[c.ID]
		k := fmt.Sprintf("ratings.%d", i)
		if len([]rune(r.Comment)) > MaxText {
			fe.Add(k+".comment", "is too long")
		}
		if !ok || r.Rating == nil {
			if c.Critical && complete {
				fe.Add(k, "a critical category needs a rating")
			}
			continue
		}
		lo, hi := Range(c.Scale)
		v := *r.Rating
		if v < lo || v > hi {
			fe.Add(k, fmt.Sprintf("must be from %d to %d", lo, hi))
			continue
		}
		if c.Critical && v == lo {
			res.CriticalFailed = true
		}
		sum += float64(c.Weight) * float64(v-lo) / float64(hi-lo)
		weights += float64(c.Weight)
		delete(byID, c.ID)
	}
	for id, r := range byID {
		if r.Rating != nil && !hasCategory(cats, id) {
			fe.Add("ratings", fmt.Sprintf("category %d is not on this scorecard", id))
		}
	}
	if err := fe.Err(); err != nil {
		return Result{}, err
	}
	if complete && weights == 0 {
		return Result{}, apperr.InvalidField("ratings", "rate at least one category")
	}
	if weights > 0 && !res.CriticalFailed {
		res.Score = math.Round(10000*sum/weights) / 100
	}
	return res, nil
}

func hasCategory(cats []Category, id int64) bool {
	for _, c := range cats {
		if c.ID == id {
			return true
		}
	}
	return false
}

// checkRatings refuses an oversize ratings list before any work on it.
func checkRatings(ratings []Rating) error {
	fe := apperr.FieldErrors{}
	fe.MaxItems("ratings", len(ratings), MaxCategories)
	return fe.Err()
}
