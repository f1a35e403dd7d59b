package api

import "github.com/ombud/ombud/internal/report"

// Data is the {"data":[…]} answer of a list that is never paged (report
// rows, settings that are few): the shape of page.List without a cursor.
type Data[T any] struct {
	Data []T `json:"data"`
}

// DataOf wraps rows, never null in JSON.
func DataOf[T any](rows []T) Data[T] {
	if rows == nil {
		rows = []T{}
	}
	return Data[T]{Data: rows}
}

// BreakdownReply is the JSON answer of GET /api/v1/reports/breakdown.
type BreakdownReply struct {
	By   string       `json:"by"`
	Data []report.Row `json:"data"`
}
