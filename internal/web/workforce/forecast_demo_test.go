package workforce_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/ombud/ombud/internal/app"
	"github.com/ombud/ombud/internal/app/apptest"
	"github.com/ombud/ombud/internal/dbtest"
	"github.com/ombud/ombud/internal/web/webtest"
)

// accuracy is the forecast page's back-test sentence in Swedish, the demo
// lead's language.
var accuracy = regexp.MustCompile(`Testad på de senaste (\d+) veckorna: fel per intervall \(MAPE\) ([0-9.]+) %, per dag ([0-9.]+) %, snedvridning (-?[0-9.]+) %\.`)

// TestForecastOnDemoHistory: the forecast built from the demo's history
// (120 days of tickets) is shown with its measured error on held-out
// weeks, on both engines; and the error is that of a usable forecast.
func TestForecastOnDemoHistory(t *testing.T) {
	for _, engine := range dbtest.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			e := apptest.NewDemo(t, engine)
			lead := webtest.SignInWith(t, e, "lead@ombud.test", app.DemoPassword)
			st, body, _ := lead.Do(t, "GET", "/workforce/forecast?channel=email", nil)
			if st != 200 {
				t.Fatalf("forecast page: %d", st)
			}
			m := accuracy.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("the page shows no measured error:\n%s", body)
			}
			weeks, _ := strconv.Atoi(m[1])
			daily, _ := strconv.ParseFloat(m[3], 64)
			bias, _ := strconv.ParseFloat(m[4], 64)
			t.Logf("demo history, email: %d held-out weeks, MAPE %s %% per interval, %.1f %% per day, bias %.1f %%", weeks, m[2], daily, bias)
			if weeks < 1 || daily <= 0 || daily > 60 || bias < -60 || bias > 60 {
				t.Errorf("the back-test on the demo history: %q", m[0])
			}
		})
	}
}
