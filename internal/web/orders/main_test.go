package orders_test

import (
	"testing"

	"github.com/ombud/ombud/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
