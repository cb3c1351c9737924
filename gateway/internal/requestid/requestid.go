// Package requestid gives every request an id that ties its log lines, audit
// entry and problem responses together.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"regexp"
)

// Header carries a request id in and out.
const Header = "X-Request-ID"

var valid = regexp.MustCompile(`^[A-Za-z0-9._:-]{1,64}$`)

type key struct{}

// New returns a random id.
func New() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b)
}

// FromClient keeps a client-supplied id when it is short and plain, so it
// can be logged safely; otherwise it mints one.
func FromClient(id string) string {
	if valid.MatchString(id) {
		return id
	}
	return New()
}

// With stores id in ctx.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the id stored in ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// Handler adds a request_id attribute to records logged with a request's
// context.
type Handler struct {
	slog.Handler
}

// Handle implements slog.Handler.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return Handler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h Handler) WithGroup(name string) slog.Handler {
	return Handler{h.Handler.WithGroup(name)}
}
