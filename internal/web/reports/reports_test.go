package reports

import (
	"go/ast"
	"go/parser"
	"go/token"
	"regexp"
	"strconv"
	"testing"

	"github.com/ombud/ombud/internal/i18n"
	"github.com/ombud/ombud/internal/report"
)

// TestReportStringsTranslated: every fixed text of the report pages is in
// the catalog, so no language shows English on a dashboard. It reads the
// literal first argument of each t/s call in reports.go and the tables of
// labels the pages translate.
func TestReportStringsTranslated(t *testing.T) {
	tr, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var keys []string
	// The report pages' files (reports.go and the files split from it).
	for _, name := range []string{"reports.go", "overview.go", "breakdowns.go", "drilldown.go"} {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			name := ""
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && (x.Name == "c" || x.Name == "u") {
					name = fn.Sel.Name
				}
			case *ast.Ident:
				name = fn.Name
			}
			// t and s translate; the others take labels they translate.
			var args []int
			switch name {
			case "t", "s", "choices":
				args = []int{0}
			case "field":
				args = []int{1}
			case "beginReport":
				args = []int{3}
			case "breakdownPage":
				args = []int{3, 5}
			case "drillDown":
				args = []int{3}
			case "pageLinks":
				args = []int{6, 7, 8}
			}
			for _, i := range args {
				if i >= len(call.Args) {
					continue
				}
				if lit, ok := call.Args[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					s, _ := strconv.Unquote(lit.Value)
					keys = append(keys, s)
				}
			}
			return true
		})
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d strings: is the parsing right?", len(keys))
	}
	for _, x := range reportTabs {
		keys = append(keys, x.Label)
	}
	for _, x := range rangePresets {
		keys = append(keys, x.Label)
	}
	for _, x := range perfColumns {
		keys = append(keys, x.label)
	}
	for _, x := range perfStats {
		keys = append(keys, x.label)
	}
	for _, x := range tileNames {
		keys = append(keys, x)
	}
	for _, byHours := range basisLabels {
		for _, x := range byHours {
			keys = append(keys, x)
		}
	}
	for _, x := range kindLabels {
		keys = append(keys, x)
	}
	for _, x := range slaLabels {
		keys = append(keys, x)
	}
	keys = append(keys, ageLabels...)
	for _, m := range report.Metrics {
		keys = append(keys, m.Label)
	}
	keys = append(keys, "Team", "Agent", "Channel", "Priority", "Type") // the breakdowns' first column
	page, err := templateFS.ReadFile("templates/reports.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\bt \$L "([^"]+)"`).FindAllStringSubmatch(string(page), -1) {
		keys = append(keys, m[1])
	}
	for _, k := range keys {
		if !tr.Has(k) {
			t.Errorf("%q is not in the catalog", k)
		}
	}
}
