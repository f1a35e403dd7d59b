package reports

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"
	"testing"
)

// svgStats parses a chart as XML and counts its elements by name and
// class.
type svgStats struct {
	elems   map[string]int // by local name
	classes map[string]int // by "name.class" for each class
	role    string
	label   string
	title   string
}

func parseSVG(t *testing.T, h template.HTML) svgStats {
	t.Helper()
	st := svgStats{elems: map[string]int{}, classes: map[string]int{}}
	d := xml.NewDecoder(strings.NewReader(string(h)))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, h)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			depth++
			st.elems[x.Name.Local]++
			for _, a := range x.Attr {
				switch {
				case a.Name.Local == "class":
					for _, c := range strings.Fields(a.Value) {
						st.classes[x.Name.Local+"."+c]++
					}
				case depth == 1 && a.Name.Local == "role":
					st.role = a.Value
				case depth == 1 && a.Name.Local == "aria-label":
					st.label = a.Value
				}
			}
			if depth == 2 && x.Name.Local == "title" {
				var s string
				if err := d.DecodeElement(&s, &x); err != nil {
					t.Fatal(err)
				}
				st.title = s
				depth--
			}
		case xml.EndElement:
			depth--
		}
	}
	if st.elems["svg"] != 1 {
		t.Fatalf("want one svg element, got %d", st.elems["svg"])
	}
	if s := string(h); strings.Contains(s, "NaN") || strings.Contains(s, "Inf") {
		t.Errorf("chart has NaN or Inf in it:\n%s", s)
	}
	return st
}

func chartCount(v float64) string { return fmt.Sprintf("%.0f", v) }

func TestCharts(t *testing.T) {
	nan := math.NaN()
	days := []string{"1 Mar", "2 Mar", "3 Mar", "4 Mar"}
	two := []ChartSeries{{Name: "Created", Values: []float64{3, 5, 0, 2}}, {Name: "Solved", Values: []float64{1, 4, 2, nan}}}
	tests := []struct {
		name    string
		svg     template.HTML
		classes map[string]int
		title   string
	}{
		{"line, two series", LineChart("Created and solved", days, two, chartCount, "No data"),
			map[string]int{"circle.point": 7, "path.line": 2, "circle.s1": 4, "circle.s2": 3, "rect.swatch": 2}, "Created and solved"},
		{"bars, two series", BarChart("Created and solved", days, two, chartCount, "No data"),
			map[string]int{"rect.bar": 7, "rect.s1": 5, "rect.s2": 4}, "Created and solved"}, // s1/s2 also chartCount the legend swatches
		{"histogram", Histogram("Backlog by age", []string{"< 1 day", "1–3 days", "> 4 weeks"}, []float64{4, 0, 1}, chartCount, "No data"),
			map[string]int{"rect.bar": 3, "rect.swatch": 0}, "Backlog by age"},
		{"line, one point", LineChart("Backlog", []string{"1 Mar"}, []ChartSeries{{Name: "Backlog", Values: []float64{7}}}, chartCount, "No data"),
			map[string]int{"circle.point": 1, "path.line": 1}, "Backlog"},
		{"line, empty", LineChart("Backlog", nil, []ChartSeries{{Name: "Backlog"}}, chartCount, "No data"),
			map[string]int{"circle.point": 0, "path.line": 0, "text.nodata": 1}, "Backlog"},
		{"bars, empty", BarChart("Volume", nil, nil, chartCount, "No data"),
			map[string]int{"rect.bar": 0, "text.nodata": 1}, "Volume"},
		{"line, all zero", LineChart("Flat", days, []ChartSeries{{Name: "x", Values: []float64{0, 0, 0, 0}}}, chartCount, "No data"),
			map[string]int{"circle.point": 4}, "Flat"},
		{"line, only gaps", LineChart("Gaps", days, []ChartSeries{{Name: "x", Values: []float64{nan, nan, nan, nan}}}, chartCount, "No data"),
			map[string]int{"circle.point": 0, "path.line": 0}, "Gaps"},
		{"escaped label", BarChart(`<script>alert("t")</script>`, []string{`<script>alert(1)</script>`, "a & b"},
			[]ChartSeries{{Name: `"quoted" <b>`, Values: []float64{1, 2}}}, chartCount, "No data"),
			map[string]int{"rect.bar": 2}, `<script>alert("t")</script>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := parseSVG(t, tt.svg)
			if st.role != "img" {
				t.Errorf("role %q, want img", st.role)
			}
			if st.title != tt.title || st.label != tt.title {
				t.Errorf("title %q, aria-label %q, want %q", st.title, st.label, tt.title)
			}
			for k, want := range tt.classes {
				if st.classes[k] != want {
					t.Errorf("%s: %d, want %d", k, st.classes[k], want)
				}
			}
			if st.elems["script"] != 0 || st.elems["b"] != 0 || strings.Contains(string(tt.svg), "<script") {
				t.Errorf("markup in a label was not escaped:\n%s", tt.svg)
			}
			if st.elems["line"] == 0 && st.elems["rect"] == 0 && tt.classes["text.nodata"] == 0 {
				t.Errorf("no gridlines or bars drawn")
			}
		})
	}
}

func TestHeatGrid(t *testing.T) {
	rows := []string{"Mon", "Tue"}
	cols := []string{"00", "01", "02"}
	vals := [][]float64{{0, 3, 6}, {1, 0, 0}}
	svg := HeatGrid("Created by hour <of day>", rows, cols, vals, func(r, c int, v float64) string {
		return fmt.Sprintf("%s %s:00: %.0f tickets", rows[r], cols[c], v)
	})
	st := parseSVG(t, svg)
	if st.classes["rect.cell"] != 6 || st.classes["rect.zero"] != 3 || st.classes["rect.hi"] != 1 {
		t.Errorf("cells %d, zero %d, dark %d; want 6, 3, 1", st.classes["rect.cell"], st.classes["rect.zero"], st.classes["rect.hi"])
	}
	if st.title != "Created by hour <of day>" {
		t.Errorf("title %q", st.title)
	}
	if !strings.Contains(string(svg), `aria-label="Mon 02:00: 6 tickets"`) || !strings.Contains(string(svg), "<title>Tue 00:00: 1 tickets</title>") {
		t.Errorf("cell labels missing:\n%s", svg)
	}
	// No data at all: every cell light, no division by zero.
	st = parseSVG(t, HeatGrid("Empty", rows, cols, nil, func(int, int, float64) string { return "none" }))
	if st.classes["rect.zero"] != 6 {
		t.Errorf("empty grid: %d zero cells, want 6", st.classes["rect.zero"])
	}
}

func TestChartScale(t *testing.T) {
	for _, tt := range []struct{ max, top, step float64 }{
		{0, 1, 0.25}, {3, 3, 1}, {7, 8, 2}, {10, 10, 2.5}, {95, 100, 25}, {1234, 1500, 500},
	} {
		top, step := chartScale(tt.max)
		if top != tt.top || step != tt.step {
			t.Errorf("chartScale(%v) = %v, %v; want %v, %v", tt.max, top, step, tt.top, tt.step)
		}
	}
}

func TestDurationScale(t *testing.T) {
	for _, tt := range []struct{ max, top, step float64 }{
		{0, 3600, 900}, {50, 60, 15}, {3000, 3600, 900}, {5000, 5400, 1800}, {42 * 3600, 48 * 3600, 43200},
		{9 * 86400, 10 * 86400, 5 * 86400}, {400 * 86400, 480 * 86400, 120 * 86400},
	} {
		top, step := durationScale(tt.max)
		if top != tt.top || step != tt.step {
			t.Errorf("durationScale(%v) = %v, %v; want %v, %v", tt.max, top, step, tt.top, tt.step)
		}
	}
	svg := LineChart("First reply", []string{"a", "b"}, []ChartSeries{{Name: "x", Values: []float64{600, 5000}}},
		func(v float64) string { return fmt.Sprintf("%.0fm", v/60) }, "none", DurationAxis())
	if !strings.Contains(string(svg), ">90m</text>") || strings.Contains(string(svg), ">83m</text>") {
		t.Errorf("duration axis not in half hours:\n%s", svg)
	}
}

func TestFixedAxis(t *testing.T) {
	pct := func(v float64) string { return fmt.Sprintf("%.0f%%", v) }
	svg := string(LineChart("SLA", []string{"a", "b"}, []ChartSeries{{Name: "x", Values: []float64{math.NaN(), math.NaN()}}}, pct, "No data", FixedAxis(100, 25)))
	parseSVG(t, template.HTML(svg))
	for _, want := range []string{">0%</text>", ">25%</text>", ">100%</text>", `class="nodata"`} {
		if !strings.Contains(svg, want) {
			t.Errorf("lacks %s:\n%s", want, svg)
		}
	}
}
