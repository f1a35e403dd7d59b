package portal_test

import (
	"testing"

	"github.com/ombud/ombud/internal/dbtest"
)

// TestMain stops the throwaway PostgreSQL cluster the tests share.
func TestMain(m *testing.M) { dbtest.Main(m) }
