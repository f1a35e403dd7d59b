package reports

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// This file draws the report charts as inline SVG on the server: no
// script, no chart library, nothing to download. Each function is pure
// (data in, markup out), escapes every text it is given, and labels the
// drawing for screen readers (role="img" with a title); the pages put a
// table of the same numbers beside it. Colours are CSS classes (s1, s2 …)
// that app.css maps to var(--chart-1) … for the light and dark themes,
// since the page's Content-Security-Policy allows no inline styles.

// ChartSeries is one line, or one colour of bars, of a chart.
type ChartSeries struct {
	Name   string
	Values []float64 // one per label; NaN is "no data"
}

const (
	chartW      = 640.0
	chartH      = 240.0
	chartLeft   = 64.0 // room for the y-axis labels
	chartRight  = 12.0
	chartTop    = 12.0
	chartBottom = 28.0 // room for the x-axis labels
	legendH     = 22.0
)

// svgEsc escapes text for SVG inside HTML (and for XML).
func svgEsc(s string) string { return template.HTMLEscapeString(s) }

// svgNum writes a coordinate.
func svgNum(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// chartScale returns the top of the y axis and its step for values up to
// max: 1, 2 or 5 times a power of ten, in about four steps.
func chartScale(max float64) (top, step float64) {
	if !(max > 0) || math.IsInf(max, 0) {
		return 1, 0.25
	}
	raw := max / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	top = math.Ceil(max/step) * step
	return top, step
}

// ChartOption adjusts a chart.
type ChartOption func(*chartConfig)

type chartConfig struct {
	scale func(max float64) (top, step float64)
	fixed bool // the scale is set: no rounding to whole numbers
}

// DurationAxis steps the y axis (of seconds) in whole minutes, hours or
// days rather than in powers of ten.
func DurationAxis() ChartOption {
	return func(c *chartConfig) { c.scale = durationScale }
}

// FixedAxis makes the y axis run from 0 to top in steps of step, e.g.
// 0–100 for percentages, whatever the data.
func FixedAxis(top, step float64) ChartOption {
	return func(c *chartConfig) {
		c.scale = func(float64) (float64, float64) { return top, step }
		c.fixed = true
	}
}

func configure(opts []ChartOption) chartConfig {
	c := chartConfig{scale: chartScale}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// durationScale is chartScale for seconds: steps of 1, 2, 5, 10, 15, 30
// minutes, 1, 2, 3, 6, 12 hours, or 1, 2, 5, 7, 14, 30 … days.
func durationScale(max float64) (top, step float64) {
	if !(max > 0) || math.IsInf(max, 0) {
		return 3600, 900
	}
	steps := []float64{1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
		86400, 2 * 86400, 5 * 86400, 7 * 86400, 14 * 86400, 30 * 86400}
	step = steps[len(steps)-1]
	for _, s := range steps {
		if s*4 >= max {
			step = s
			break
		}
	}
	for step*4 < max { // beyond months: whole multiples of 30 days
		step += 30 * 86400
	}
	return math.Ceil(max/step) * step, step
}

// svgOpen starts a chart's SVG element and its accessible name.
func svgOpen(b *strings.Builder, class, title string, w, h float64) {
	fmt.Fprintf(b, `<svg class="chart %s" viewBox="0 0 %s %s" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		class, svgNum(w), svgNum(h), svgEsc(title))
	fmt.Fprintf(b, `<title>%s</title>`, svgEsc(title))
}

// chartFrame is the plot area of a chart with axes.
type chartFrame struct {
	x0, y0, w, h float64 // plot area: left, top, width, height
	top          float64 // the y value at the top
}

func (f chartFrame) y(v float64) float64 {
	if math.IsNaN(v) || v < 0 {
		v = 0
	}
	return f.y0 + f.h - v/f.top*f.h
}

// chartAxes draws the legend, gridlines, y labels and x labels; the x axis
// has a band (a point or a bar group) per label.
func chartAxes(b *strings.Builder, labels []string, series []ChartSeries, format func(float64) string, legend bool, cfg chartConfig) chartFrame {
	top := chartTop
	if legend {
		b.WriteString(`<g class="legend">`)
		x := chartLeft
		for i, s := range series {
			fmt.Fprintf(b, `<rect class="swatch s%d" x="%s" y="4" width="12" height="12" rx="2"/>`, i%6+1, svgNum(x))
			fmt.Fprintf(b, `<text x="%s" y="14">%s</text>`, svgNum(x+16), svgEsc(s.Name))
			x += 28 + 7*float64(len([]rune(s.Name)))
		}
		b.WriteString(`</g>`)
		top += legendH
	}
	max, whole := 0.0, true
	for _, s := range series {
		for _, v := range s.Values {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			max = math.Max(max, v)
			whole = whole && v == math.Trunc(v)
		}
	}
	f := chartFrame{x0: chartLeft, y0: top, w: chartW - chartLeft - chartRight, h: chartH - top - chartBottom}
	var step float64
	f.top, step = cfg.scale(max)
	if whole && step < 1 && !cfg.fixed { // counts: no ticks between whole numbers
		step = 1
		f.top = math.Max(1, math.Ceil(max))
	}
	b.WriteString(`<g class="gridlines">`)
	for i := 0; i <= 20; i++ {
		v := float64(i) * step
		if v > f.top+step/1000 {
			break
		}
		y := f.y(v)
		fmt.Fprintf(b, `<line x1="%s" y1="%s" x2="%s" y2="%s"/>`, svgNum(f.x0), svgNum(y), svgNum(f.x0+f.w), svgNum(y))
		fmt.Fprintf(b, `<text class="axis" x="%s" y="%s" text-anchor="end">%s</text>`, svgNum(f.x0-6), svgNum(y+4), svgEsc(format(v)))
	}
	b.WriteString(`</g>`)
	n := len(labels)
	if n > 0 {
		every := (n + 9) / 10 // at most about ten labels
		bw := f.w / float64(n)
		b.WriteString(`<g class="xlabels">`)
		for i, l := range labels {
			if i%every != 0 {
				continue
			}
			fmt.Fprintf(b, `<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>`,
				svgNum(f.x0+(float64(i)+0.5)*bw), svgNum(f.y0+f.h+18), svgEsc(clipLabel(l, int(bw*float64(every)/6.5))))
		}
		b.WriteString(`</g>`)
	}
	fmt.Fprintf(b, `<line class="baseline" x1="%s" y1="%s" x2="%s" y2="%s"/>`, svgNum(f.x0), svgNum(f.y0+f.h), svgNum(f.x0+f.w), svgNum(f.y0+f.h))
	return f
}

// clipLabel shortens a label to at most n characters (an axis label must not
// run into the next; the full text is in the tooltips and the table).
func clipLabel(s string, n int) string {
	r := []rune(s)
	if n < 2 {
		n = 2
	}
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// hasValues reports whether any series has a number to draw.
func hasValues(series []ChartSeries) bool {
	for _, s := range series {
		for _, v := range s.Values {
			if !math.IsNaN(v) && !math.IsInf(v, 0) {
				return true
			}
		}
	}
	return false
}

func chartNoData(b *strings.Builder, text string) {
	fmt.Fprintf(b, `<text class="nodata" x="%s" y="%s" text-anchor="middle">%s</text>`, svgNum(chartW/2), svgNum(chartH/2), svgEsc(text))
}

// LineChart draws one line per series over the labels (a point per
// label, each with a tooltip); NaN values break the line. noDataText is
// shown when there are no labels.
func LineChart(title string, labels []string, series []ChartSeries, format func(float64) string, noDataText string, opts ...ChartOption) template.HTML {
	var b strings.Builder
	svgOpen(&b, "line-chart", title, chartW, chartH)
	f := chartAxes(&b, labels, series, format, len(series) > 1, configure(opts))
	n := len(labels)
	if n == 0 || !hasValues(series) {
		chartNoData(&b, noDataText)
	}
	bw := 0.0
	if n > 0 {
		bw = f.w / float64(n)
	}
	for si, s := range series {
		cls := fmt.Sprintf("s%d", si%6+1)
		var path strings.Builder
		pen := false
		for i := 0; i < n && i < len(s.Values); i++ {
			v := s.Values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				pen = false
				continue
			}
			x, y := f.x0+(float64(i)+0.5)*bw, f.y(v)
			if pen {
				path.WriteString(" L")
			} else {
				if path.Len() > 0 {
					path.WriteString(" ")
				}
				path.WriteString("M")
			}
			path.WriteString(svgNum(x) + " " + svgNum(y))
			pen = true
		}
		if path.Len() > 0 {
			fmt.Fprintf(&b, `<path class="line %s" d="%s"/>`, cls, path.String())
		}
		for i := 0; i < n && i < len(s.Values); i++ {
			v := s.Values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			fmt.Fprintf(&b, `<circle class="point %s" cx="%s" cy="%s" r="3"><title>%s</title></circle>`,
				cls, svgNum(f.x0+(float64(i)+0.5)*bw), svgNum(f.y(v)), svgEsc(chartPointText(labels[i], s.Name, format(v), len(series))))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func chartPointText(label, series, value string, count int) string {
	if count > 1 {
		return label + " · " + series + ": " + value
	}
	return label + ": " + value
}

// BarChart draws a group of bars per label, one bar per series.
func BarChart(title string, labels []string, series []ChartSeries, format func(float64) string, noDataText string, opts ...ChartOption) template.HTML {
	return barsChart(title, "bar-chart", labels, series, format, noDataText, 0.2, configure(opts))
}

// Histogram draws one series as adjoining bars, one per bucket label.
func Histogram(title string, labels []string, counts []float64, format func(float64) string, noDataText string, opts ...ChartOption) template.HTML {
	return barsChart(title, "histogram", labels, []ChartSeries{{Name: title, Values: counts}}, format, noDataText, 0.04, configure(opts))
}

func barsChart(title, class string, labels []string, series []ChartSeries, format func(float64) string, noDataText string, gap float64, cfg chartConfig) template.HTML {
	var b strings.Builder
	svgOpen(&b, class, title, chartW, chartH)
	f := chartAxes(&b, labels, series, format, len(series) > 1, cfg)
	n := len(labels)
	if n == 0 || !hasValues(series) {
		chartNoData(&b, noDataText)
		b.WriteString(`</svg>`)
		return template.HTML(b.String())
	}
	bw := f.w / float64(n)
	inner := bw * (1 - 2*gap)
	each := inner / float64(len(series))
	for i := range n {
		for si, s := range series {
			if i >= len(s.Values) {
				continue
			}
			v := s.Values[i]
			if math.IsNaN(v) || math.IsInf(v, 0) {
				continue
			}
			x := f.x0 + float64(i)*bw + bw*gap + float64(si)*each
			y := f.y(v)
			fmt.Fprintf(&b, `<rect class="bar s%d" x="%s" y="%s" width="%s" height="%s"><title>%s</title></rect>`,
				si%6+1, svgNum(x), svgNum(y), svgNum(math.Max(each-1, 1)), svgNum(f.y0+f.h-y), svgEsc(chartPointText(labels[i], s.Name, format(v), len(series))))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// HeatGrid shades a grid of counts (rows × columns, e.g. weekdays × hours):
// the darker, the more. cellTitle names a cell for its tooltip; each cell
// with a count shows it.
func HeatGrid(title string, rows, cols []string, values [][]float64, cellTitle func(r, c int, v float64) string) template.HTML {
	const left, top, cw, ch = 48.0, 22.0, 24.0, 24.0
	w, h := left+cw*float64(len(cols))+4, top+ch*float64(len(rows))+4
	var b strings.Builder
	svgOpen(&b, "heat-grid", title, w, h)
	max := 0.0
	for _, row := range values {
		for _, v := range row {
			if !math.IsNaN(v) && v > max {
				max = v
			}
		}
	}
	b.WriteString(`<g class="xlabels">`)
	for c, l := range cols {
		fmt.Fprintf(&b, `<text class="axis" x="%s" y="%s" text-anchor="middle">%s</text>`, svgNum(left+(float64(c)+0.5)*cw), svgNum(top-8), svgEsc(l))
	}
	b.WriteString(`</g>`)
	for r, l := range rows {
		y := top + float64(r)*ch
		fmt.Fprintf(&b, `<text class="axis" x="%s" y="%s" text-anchor="end">%s</text>`, svgNum(left-6), svgNum(y+ch/2+4), svgEsc(l))
		for c := range cols {
			v := 0.0
			if r < len(values) && c < len(values[r]) && !math.IsNaN(values[r][c]) {
				v = values[r][c]
			}
			x := left + float64(c)*cw
			label := svgEsc(cellTitle(r, c, v))
			if v <= 0 || max <= 0 {
				fmt.Fprintf(&b, `<rect class="cell zero" x="%s" y="%s" width="%s" height="%s" aria-label="%s"><title>%s</title></rect>`,
					svgNum(x+1), svgNum(y+1), svgNum(cw-2), svgNum(ch-2), label, label)
				continue
			}
			share := v / max
			cls := "cell"
			if share > 0.55 {
				cls += " hi" // light text on the dark cells
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s" fill-opacity="%s" aria-label="%s"><title>%s</title></rect>`,
				cls, svgNum(x+1), svgNum(y+1), svgNum(cw-2), svgNum(ch-2), strconv.FormatFloat(0.12+0.88*share, 'f', 2, 64), label, label)
			fmt.Fprintf(&b, `<text class="cell-n%s" x="%s" y="%s" text-anchor="middle" aria-hidden="true">%s</text>`,
				map[bool]string{true: " hi", false: ""}[share > 0.55], svgNum(x+cw/2), svgNum(y+ch/2+4), svgEsc(strconv.FormatFloat(v, 'f', -1, 64)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
