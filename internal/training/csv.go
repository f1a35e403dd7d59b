package training

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"
)

// cell keeps a spreadsheet from reading a text as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// WriteAssignmentsCSV writes one row per assignment.
func WriteAssignmentsCSV(w io.Writer, list []Assignment) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "agent_id", "agent", "course_id", "course", "skill", "due_on", "status", "overdue", "completed_on", "expires_on", "created_at"})
	for _, a := range list {
		_ = cw.Write([]string{strconv.FormatInt(a.ID, 10), strconv.FormatInt(a.AgentID, 10), cell(a.AgentName), strconv.FormatInt(a.CourseID, 10), cell(a.Course),
			a.Skill, a.DueOn, a.Status, strconv.FormatBool(a.Overdue), a.CompletedOn, a.ExpiresOn, a.CreatedAt.UTC().Format(time.RFC3339)})
	}
	cw.Flush()
	return cw.Error()
}
