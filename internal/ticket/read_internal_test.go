package ticket

import (
	"strings"
	"testing"
)

// TestRequesterColsFirstEmail: the requester columns pick the email as
// firstEmailOf does, which the create and the migration's triggers use
// (the copy on the row must agree with the fallback).
func TestRequesterColsFirstEmail(t *testing.T) {
	if !strings.Contains(requesterCols, firstEmailOf("t.requester_id")) {
		t.Errorf("requesterCols does not hold firstEmailOf(\"t.requester_id\"):\n%s", requesterCols)
	}
}
