package server

import (
	"context"
	"log/slog"
)

// requestLogHandler adds the request id that the requestID middleware put in the
// context to every record logged with that context, so handlers log through
// s.log with r.Context() and never add it by hand. (A group opened with
// WithGroup would hold it too; the gateway opens none.)
type requestLogHandler struct{ slog.Handler }

func (h requestLogHandler) Handle(ctx context.Context, r slog.Record) error {
	if info, ok := ctx.Value(requestInfoKey).(*requestInfo); ok && info.id != "" {
		r.AddAttrs(slog.String("request_id", info.id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestLogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestLogHandler{h.Handler.WithAttrs(attrs)}
}

func (h requestLogHandler) WithGroup(name string) slog.Handler {
	return requestLogHandler{h.Handler.WithGroup(name)}
}
