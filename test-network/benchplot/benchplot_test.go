package benchplot

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func sample() Chart {
	return Chart{Width: 900, Height: 360, Panels: []Panel{
		{Title: "tx/s", XLabel: "clients", LogX: true, Series: []Series{
			{Name: "direct", Color: Blue, Points: []Point{{1, 6.5}, {16, 83}, {64, 123.7}, {256, 130}}},
			{Name: "gateway", Color: Orange, Points: []Point{{1, 6}, {16, 80}, {64, 118}, {256, 125}}},
		}},
		{Title: "p99 ms", XLabel: "clients", LogX: true, Series: []Series{
			{Name: "direct", Color: Blue, Points: []Point{{1, 363}, {16, 517}, {64, 1643}, {256, 5000}}},
		}},
	}}
}

func count(img *image.RGBA, c color.RGBA) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if img.RGBAAt(x, y) == c {
				n++
			}
		}
	}
	return n
}

func TestChart(t *testing.T) {
	t.Run("encodes a PNG of the requested size", func(t *testing.T) {
		var buf bytes.Buffer
		require.NoError(t, sample().Encode(&buf))
		img, err := png.Decode(&buf)
		require.NoError(t, err)
		require.Equal(t, image.Rect(0, 0, 900, 360), img.Bounds())
	})
	t.Run("draws every series in its colour and the axes in black", func(t *testing.T) {
		img, err := sample().Image()
		require.NoError(t, err)
		require.Greater(t, count(img, Blue), 200, "two blue lines, markers and legend boxes")
		require.Greater(t, count(img, Orange), 100)
		require.Zero(t, count(img, Green), "no series is green")
		require.Greater(t, count(img, black), 500, "axes, ticks and labels")
	})
	t.Run("draws the same picture for the same data", func(t *testing.T) {
		a, err := sample().Image()
		require.NoError(t, err)
		b, err := sample().Image()
		require.NoError(t, err)
		require.Equal(t, a.Pix, b.Pix)
	})
	t.Run("plots a higher value higher up", func(t *testing.T) {
		c := Chart{Width: 300, Height: 200, Panels: []Panel{{Series: []Series{
			{Name: "a", Color: Red, Points: []Point{{1, 10}, {2, 100}}},
		}}}}
		img, err := c.Image()
		require.NoError(t, err)
		// The marker of x=1 is left of the marker of x=2 and lower.
		left, right := markerCentre(t, img, Red, 0, 150), markerCentre(t, img, Red, 150, 300)
		require.Less(t, left.X, right.X)
		require.Greater(t, left.Y, right.Y, "image y grows downwards")
	})
	t.Run("lays panels out in rows of the given columns", func(t *testing.T) {
		c := sample()
		c.Width, c.Height, c.Columns = 500, 700, 1
		img, err := c.Image()
		require.NoError(t, err)
		top, bottom := 0, 0
		for y := 0; y < 700; y++ {
			for x := 0; x < 500; x++ {
				if img.RGBAAt(x, y) == Orange {
					if y < 350 {
						top++
					} else {
						bottom++
					}
				}
			}
		}
		require.Positive(t, top, "the throughput panel, with the orange series, is on top")
		require.Zero(t, bottom, "the p99 panel below has no orange series")
	})
	t.Run("draws a single point without a line", func(t *testing.T) {
		c := Chart{Width: 300, Height: 200, Panels: []Panel{{LogX: true, Series: []Series{
			{Name: "one", Color: Green, Points: []Point{{64, 0}}},
		}}}}
		img, err := c.Image()
		require.NoError(t, err)
		require.Greater(t, count(img, Green), 49, "marker and legend box")
	})
}

// markerCentre returns the mean position of c's pixels with x in [x0, x1),
// ignoring the legend in the top band of the plot.
func markerCentre(t *testing.T, img *image.RGBA, c color.RGBA, x0, x1 int) image.Point {
	t.Helper()
	var sx, sy, n int
	for y := marginTop + 30; y < img.Bounds().Max.Y; y++ {
		for x := x0; x < x1; x++ {
			if img.RGBAAt(x, y) == c {
				sx, sy, n = sx+x, sy+y, n+1
			}
		}
	}
	require.Positive(t, n)
	return image.Point{X: sx / n, Y: sy / n}
}

func TestValidate(t *testing.T) {
	withPoint := func(logX bool, p Point) Chart {
		return Chart{Width: 400, Height: 300, Panels: []Panel{{LogX: logX, Series: []Series{{Name: "s", Points: []Point{{1, 1}, p}}}}}}
	}
	for _, tc := range []struct {
		name  string
		chart Chart
		field string
	}{
		{"rejects a chart too narrow", Chart{Width: MinWidth - 1, Height: 300}, "width"},
		{"rejects a chart too wide", Chart{Width: MaxWidth + 1, Height: 300}, "width"},
		{"rejects a chart too short", Chart{Width: 400, Height: MinHeight - 1}, "height"},
		{"rejects a chart too tall", Chart{Width: 400, Height: MaxHeight + 1}, "height"},
		{"rejects a chart without panels", Chart{Width: 400, Height: 300}, "panels"},
		{"rejects panels narrower than the minimum", Chart{Width: 400, Height: 300, Panels: make([]Panel, 3)}, "panels"},
		{"rejects rows lower than the minimum", Chart{Width: 400, Height: 300, Columns: 1, Panels: make([]Panel, 3)}, "panels"},
		{"rejects a negative column count", Chart{Width: 400, Height: 300, Columns: -1, Panels: make([]Panel, 1)}, "columns"},
		{"rejects a panel without points", Chart{Width: 400, Height: 300, Panels: []Panel{{Series: []Series{{Name: "empty"}}}}}, "panels[0].series"},
		{"rejects a zero x on a log axis", withPoint(true, Point{0, 1}), "panels[0].series[0].points[1].x"},
		{"rejects a NaN x", withPoint(false, Point{math.NaN(), 1}), "panels[0].series[0].points[1].x"},
		{"rejects an infinite y", withPoint(false, Point{2, math.Inf(1)}), "panels[0].series[0].points[1].y"},
		{"rejects a negative y", withPoint(false, Point{2, -1}), "panels[0].series[0].points[1].y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.chart.Image()
			require.ErrorIs(t, err, ErrInvalid)
			var ie *InvalidError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field)
			require.ErrorIs(t, tc.chart.Encode(&bytes.Buffer{}), ErrInvalid)
		})
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		name string
		max  float64
		want []float64
	}{
		{"steps by 50 up to 123.7", 123.7, []float64{0, 50, 100, 150}},
		{"steps by 1000 up to 5000", 5000, []float64{0, 1000, 2000, 3000, 4000, 5000}},
		{"steps by 0.2 below 1", 0.9, []float64{0, 0.2, 0.4, 0.6000000000000001, 0.8, 1}},
		{"falls back to 0..1 for an all-zero series", 0, []float64{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, niceTicks(tc.max, maxYTicks))
		})
	}
	t.Run("prints decimals only when the step needs them", func(t *testing.T) {
		require.Equal(t, "150", formatTick(150, []float64{0, 50}))
		require.Equal(t, "0.6", formatTick(0.6000000000000001, []float64{0, 0.2}))
	})
}

func TestText(t *testing.T) {
	t.Run("every glyph is 5 by 7", func(t *testing.T) {
		for r, g := range glyphs {
			for _, row := range g {
				require.Len(t, row, glyphW, "glyph %q", r)
			}
		}
	})
	t.Run("draws unknown characters as a question mark", func(t *testing.T) {
		a := image.NewRGBA(image.Rect(0, 0, 20, 10))
		b := image.NewRGBA(image.Rect(0, 0, 20, 10))
		drawText(a, 0, 0, "é", 1, black)
		drawText(b, 0, 0, "?", 1, black)
		require.Equal(t, b.Pix, a.Pix)
	})
	t.Run("draws lower case as upper case", func(t *testing.T) {
		a := image.NewRGBA(image.Rect(0, 0, 40, 10))
		b := image.NewRGBA(image.Rect(0, 0, 40, 10))
		drawText(a, 0, 0, "tx/s", 1, black)
		drawText(b, 0, 0, "TX/S", 1, black)
		require.Equal(t, b.Pix, a.Pix)
	})
	t.Run("clips text outside the image", func(t *testing.T) {
		img := image.NewRGBA(image.Rect(0, 0, 10, 10))
		require.NotPanics(t, func() { drawText(img, -20, -20, "WIDE TEXT", 3, black) })
	})
	t.Run("measures text", func(t *testing.T) {
		require.Equal(t, 0, textWidth("", 1))
		require.Equal(t, 11, textWidth("AB", 1))
		require.Equal(t, 22, textWidth("AB", 2))
	})
}
