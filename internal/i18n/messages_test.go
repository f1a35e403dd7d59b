package i18n

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// messageDirs are the packages whose error and validation messages can
// reach an agent's page (a form error, a flash, the error page). The JSON
// API (web/api), the importer's command line and the HTTP plumbing's JSON
// body errors answer programs, which read the stable codes; they keep
// English.
var messageDirs = []string{
	"agent", "audit", "auth", "automation", "channel/email", "customer", "jobs", "page", "report",
	"routing", "sla", "sso", "ticket", "web/ui", "web/tickets", "web/people", "web/admin", "web/reports", "privacy", "web/gdpr", "web/sso", "csat", "web/survey",
	"webhook", "web/webhooks", "qa", "web/qa",
}

// apperrCalls are the apperr constructors whose string arguments are
// messages a person reads.
var apperrCalls = map[string]bool{
	"Invalid": true, "InvalidField": true, "Unprocessable": true, "Conflict": true,
	"Forbidden": true, "Unauthenticated": true, "RateLimited": true,
}

// fieldFirst are the constructors whose first argument is a field name.
var fieldFirst = map[string]bool{"InvalidField": true, "Unprocessable": true, "Conflict": true}

// serviceMessages returns every literal message (or the format of a
// fmt.Sprintf-built one) the packages in dirs hand to apperr, by where
// it was found.
func serviceMessages(t *testing.T, dirs []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	add := func(e ast.Expr) {
		switch x := e.(type) {
		case *ast.BasicLit:
			if x.Kind == token.STRING {
				if s, err := strconv.Unquote(x.Value); err == nil && s != "" {
					if _, ok := out[s]; !ok {
						out[s] = fset.Position(x.Pos()).String()
					}
				}
			}
		case *ast.CallExpr:
			if sel, ok := x.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Sprintf" && len(x.Args) > 0 {
				if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil {
						if _, ok := out[s]; !ok {
							out[s] = fset.Position(lit.Pos()).String()
						}
					}
				}
			}
		}
	}
	values := func(e ast.Expr) {
		if cl, ok := e.(*ast.CompositeLit); ok {
			for _, el := range cl.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					add(kv.Value)
				}
			}
			return
		}
		add(e)
	}
	for _, d := range dirs {
		root := filepath.Join("..", filepath.FromSlash(d))
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range entries {
			name := en.Name()
			if en.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, filepath.Join(root, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					sel, ok := x.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "apperr" && apperrCalls[sel.Sel.Name] {
						args := x.Args
						if fieldFirst[sel.Sel.Name] && len(args) > 1 {
							args = args[1:] // a field name, not words
						}
						for _, a := range args {
							values(a)
						}
					}
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "apperr" && sel.Sel.Name == "NotFound" && len(x.Args) == 2 {
						if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							kind, _ := strconv.Unquote(lit.Value)
							if _, ok := out[kind+" %s not found"]; !ok {
								out[kind+" %s not found"] = fset.Position(lit.Pos()).String()
							}
						}
					}
					// FieldErrors.Add(field, problem) and its look-alikes.
					if sel.Sel.Name == "Add" && len(x.Args) == 2 {
						if lit, ok := x.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							add(x.Args[1])
						}
					}
				case *ast.CompositeLit:
					if sel, ok := x.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Error" {
						if id, ok := sel.X.(*ast.Ident); ok && id.Name == "apperr" {
							for _, el := range x.Elts {
								if kv, ok := el.(*ast.KeyValueExpr); ok {
									if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Message" || k.Name == "Fields") {
										values(kv.Value)
									}
								}
							}
						}
					}
				}
				return true
			})
		}
	}
	return out
}

// notShown are messages no page can provoke, kept out of the catalog
// (whose strings are trusted HTML, so no "<").
var notShown = map[string]bool{
	"must be <= or >=": true, // the goals form offers the two choices only
}

// TestServiceMessagesInCatalog: every message a service can put on an
// agent's page is a catalog key, so the UI shows it in the agent's
// language (Translator.Message).
func TestServiceMessagesInCatalog(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range EnglishKeys() {
		keys[k] = true
	}
	msgs := serviceMessages(t, messageDirs)
	var missing []string
	for m, at := range msgs {
		if !keys[m] && !untranslatable(m) && !notShown[m] {
			missing = append(missing, at+"\t"+m)
		}
	}
	sort.Strings(missing)
	for _, m := range missing {
		t.Errorf("not in the catalog: %s", m)
	}
}

// untranslatable are messages with no words of their own ("%s: %s").
func untranslatable(m string) bool {
	letters := 0
	inVerb := false
	for _, r := range m {
		switch {
		case r == '%':
			inVerb = true
		case inVerb && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			inVerb = false
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
			letters++
		}
	}
	return letters < 2
}
