// Package benchplot draws the live benchmark's chart as a PNG with the
// standard library only: line series on a linear or log2 x axis, with axes,
// tick marks, a light grid, tick labels, titles and a legend in a built-in
// 5×7 pixel font. It knows nothing of the benchmark; test-network/cmd/bench
// turns its results into Panels.
package benchplot

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"slices"
	"strconv"
)

// Point is one measurement.
type Point struct{ X, Y float64 }

// Series is one line, e.g. "direct" throughput against clients.
type Series struct {
	Name   string
	Color  color.RGBA
	Points []Point
}

// Panel is one plot: its series share the axes. The y axis starts at 0.
type Panel struct {
	Title  string
	XLabel string
	// LogX spaces x values by their base-2 logarithm, so that 1, 16, 64
	// and 256 clients are all readable on one axis.
	LogX   bool
	Series []Series
}

// Chart lays its panels out in rows of Columns panels, left to right and
// top to bottom; Columns 0 puts them all in one row.
type Chart struct {
	Width, Height int
	Columns       int
	Panels        []Panel
}

// Size limits of a chart, in pixels.
const (
	MinWidth, MinHeight = 200, 150
	MaxWidth, MaxHeight = 4000, 4000
)

// ErrInvalid is wrapped by every error about a chart that cannot be drawn.
var ErrInvalid = errors.New("benchplot: invalid chart")

// InvalidError names what is wrong with a chart, e.g. "panels[1].series[0].points[2].x".
type InvalidError struct {
	Field string
	Rule  string
}

func (e *InvalidError) Error() string { return fmt.Sprintf("%v: %s: %s", ErrInvalid, e.Field, e.Rule) }

// Unwrap makes every InvalidError match ErrInvalid.
func (e *InvalidError) Unwrap() error { return ErrInvalid }

// Colours the benchmark uses; any colour may be given.
var (
	Blue   = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}
	Orange = color.RGBA{R: 0xff, G: 0x7f, B: 0x0e, A: 0xff}
	Green  = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff}
	Red    = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}
)

var (
	white = color.RGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	black = color.RGBA{A: 0xff}
	grey  = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
)

// Validate reports the first thing that keeps the chart from being drawn.
func (c Chart) Validate() error {
	if c.Width < MinWidth || c.Width > MaxWidth {
		return &InvalidError{Field: "width", Rule: fmt.Sprintf("must be between %d and %d", MinWidth, MaxWidth)}
	}
	if c.Height < MinHeight || c.Height > MaxHeight {
		return &InvalidError{Field: "height", Rule: fmt.Sprintf("must be between %d and %d", MinHeight, MaxHeight)}
	}
	if len(c.Panels) == 0 {
		return &InvalidError{Field: "panels", Rule: "must not be empty"}
	}
	if c.Columns < 0 {
		return &InvalidError{Field: "columns", Rule: "must not be negative"}
	}
	cols, rows := c.grid()
	if c.Width/cols < MinWidth || c.Height/rows < MinHeight {
		return &InvalidError{Field: "panels", Rule: fmt.Sprintf("each panel needs %d by %d pixels", MinWidth, MinHeight)}
	}
	for i, p := range c.Panels {
		if err := p.validate(fmt.Sprintf("panels[%d]", i)); err != nil {
			return err
		}
	}
	return nil
}

func (p Panel) validate(field string) error {
	points := 0
	for i, s := range p.Series {
		for j, pt := range s.Points {
			f := fmt.Sprintf("%s.series[%d].points[%d]", field, i, j)
			if !finite(pt.X) || (p.LogX && pt.X <= 0) {
				return &InvalidError{Field: f + ".x", Rule: "must be finite, and > 0 on a log axis"}
			}
			if !finite(pt.Y) || pt.Y < 0 {
				return &InvalidError{Field: f + ".y", Rule: "must be finite and >= 0"}
			}
			points++
		}
	}
	if points == 0 {
		return &InvalidError{Field: field + ".series", Rule: "must hold at least one point"}
	}
	return nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Encode draws the chart and writes it as PNG.
func (c Chart) Encode(w io.Writer) error {
	img, err := c.Image()
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		return fmt.Errorf("benchplot: encode png: %w", err)
	}
	return nil
}

// Image draws the chart.
func (c Chart) Image() (*image.RGBA, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, c.Width, c.Height))
	fillRect(img, 0, 0, c.Width, c.Height, white)
	cols, rows := c.grid()
	w, h := c.Width/cols, c.Height/rows
	for i, p := range c.Panels {
		x, y := i%cols*w, i/cols*h
		p.draw(img, image.Rect(x, y, x+w, y+h))
	}
	return img, nil
}

// grid returns the number of columns and rows the panels take.
func (c Chart) grid() (cols, rows int) {
	cols = c.Columns
	if cols == 0 || cols > len(c.Panels) {
		cols = len(c.Panels)
	}
	return cols, (len(c.Panels) + cols - 1) / cols
}

// Layout of a panel, in pixels at text scale 1.
const (
	marginLeft   = 56
	marginRight  = 16
	marginTop    = 28
	marginBottom = 40
	tickLen      = 5
	maxYTicks    = 6
)

func (p Panel) draw(img *image.RGBA, r image.Rectangle) {
	plot := image.Rect(r.Min.X+marginLeft, r.Min.Y+marginTop, r.Max.X-marginRight, r.Max.Y-marginBottom)
	drawText(img, r.Min.X+(r.Dx()-textWidth(p.Title, 2))/2, r.Min.Y+6, p.Title, 2, black)

	xs := p.xValues()
	xmin, xmax := p.xpos(xs[0]), p.xpos(xs[len(xs)-1])
	if xmax == xmin {
		xmin, xmax = xmin-1, xmax+1
	}
	yTicks := niceTicks(p.yMax(), maxYTicks)
	ymax := yTicks[len(yTicks)-1]
	// A small inset keeps the first and last points off the axes.
	inset := 8
	toX := func(x float64) int {
		return plot.Min.X + inset + int(math.Round((p.xpos(x)-xmin)/(xmax-xmin)*float64(plot.Dx()-2*inset)))
	}
	toY := func(y float64) int {
		return plot.Max.Y - int(math.Round(y/ymax*float64(plot.Dy())))
	}

	for _, t := range yTicks {
		y := toY(t)
		if t > 0 {
			drawLine(img, plot.Min.X+1, y, plot.Max.X, y, grey)
		}
		drawLine(img, plot.Min.X-tickLen, y, plot.Min.X, y, black)
		label := formatTick(t, yTicks)
		drawText(img, plot.Min.X-tickLen-3-textWidth(label, 1), y-textHeight(1)/2, label, 1, black)
	}
	for _, x := range xs {
		px := toX(x)
		drawLine(img, px, plot.Max.Y, px, plot.Max.Y+tickLen, black)
		label := strconv.FormatFloat(x, 'f', -1, 64)
		drawText(img, px-textWidth(label, 1)/2, plot.Max.Y+tickLen+3, label, 1, black)
	}
	drawLine(img, plot.Min.X, plot.Min.Y, plot.Min.X, plot.Max.Y, black)
	drawLine(img, plot.Min.X, plot.Max.Y, plot.Max.X, plot.Max.Y, black)
	drawText(img, plot.Min.X+(plot.Dx()-textWidth(p.XLabel, 1))/2, plot.Max.Y+tickLen+3+textHeight(1)+6, p.XLabel, 1, black)

	for _, s := range p.Series {
		pts := slices.Clone(s.Points)
		slices.SortFunc(pts, func(a, b Point) int { return cmpFloat(a.X, b.X) })
		for i, pt := range pts {
			x, y := toX(pt.X), toY(pt.Y)
			fillRect(img, x-3, y-3, 7, 7, s.Color)
			if i > 0 {
				thickLine(img, toX(pts[i-1].X), toY(pts[i-1].Y), x, y, s.Color)
			}
		}
	}

	// Legend: a coloured box and the series name per line, top left.
	lx, ly := plot.Min.X+10, plot.Min.Y+8
	for _, s := range p.Series {
		fillRect(img, lx, ly, 10, 10, s.Color)
		drawText(img, lx+15, ly+2, s.Name, 1, black)
		ly += 16
	}
}

// xValues returns the distinct x values of every series, sorted.
func (p Panel) xValues() []float64 {
	var xs []float64
	for _, s := range p.Series {
		for _, pt := range s.Points {
			xs = append(xs, pt.X)
		}
	}
	slices.Sort(xs)
	return slices.Compact(xs)
}

func (p Panel) xpos(x float64) float64 {
	if p.LogX {
		return math.Log2(x)
	}
	return x
}

func (p Panel) yMax() float64 {
	m := 0.0
	for _, s := range p.Series {
		for _, pt := range s.Points {
			m = max(m, pt.Y)
		}
	}
	return m
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// niceTicks returns ticks from 0 in steps of 1, 2 or 5 × 10^k, at most
// about n of them, the last at or above max.
func niceTicks(maxV float64, n int) []float64 {
	if maxV <= 0 {
		return []float64{0, 1}
	}
	raw := maxV / float64(n-1)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var ticks []float64
	for i := 0; ; i++ {
		t := float64(i) * step
		ticks = append(ticks, t)
		if t >= maxV {
			return ticks
		}
	}
}

// formatTick prints t with as many decimals as the tick step needs.
func formatTick(t float64, ticks []float64) string {
	step := ticks[1] - ticks[0]
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step)))
	}
	return strconv.FormatFloat(t, 'f', decimals, 64)
}

func fillRect(img *image.RGBA, x, y, w, h int, c color.RGBA) {
	r := image.Rect(x, y, x+w, y+h).Intersect(img.Bounds())
	for py := r.Min.Y; py < r.Max.Y; py++ {
		for px := r.Min.X; px < r.Max.X; px++ {
			img.SetRGBA(px, py, c)
		}
	}
}

// drawLine draws a one-pixel line with Bresenham's algorithm.
func drawLine(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	e := dx + dy
	for {
		if (image.Point{X: x0, Y: y0}).In(img.Bounds()) {
			img.SetRGBA(x0, y0, c)
		}
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

// thickLine draws a line two pixels wide, so series stand out from the grid.
func thickLine(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	drawLine(img, x0, y0, x1, y1, c)
	if abs(x1-x0) > abs(y1-y0) {
		drawLine(img, x0, y0+1, x1, y1+1, c)
	} else {
		drawLine(img, x0+1, y0, x1+1, y1, c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
