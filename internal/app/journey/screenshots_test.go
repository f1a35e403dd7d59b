package journey_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshot saves what the browser shows as docs/screenshots/name when
// OMBUD_SCREENSHOTS=1 (and on SQLite only, so each picture has one source);
// otherwise the suite leaves the working tree as it found it.
func screenshot(t *testing.T, ctx context.Context, engine, name string) {
	t.Helper()
	if os.Getenv("OMBUD_SCREENSHOTS") != "1" || engine != "sqlite" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG; less is JPEG
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join("..", "..", "..", "docs", "screenshots", name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
