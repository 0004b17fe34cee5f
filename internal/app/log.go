package app

import (
	"io"
	"log/slog"
	"strings"
)

// newLogger builds the process logger. Every string it prints passes through
// a scrubber that replaces the configured secrets: the code never logs them,
// but a library error that quoted a request could, and a token in a log file
// is a token leaked.
func newLogger(w io.Writer, level slog.Level, format string, secrets []string) *slog.Logger {
	scrub := newScrubber(secrets)
	opts := &slog.HandlerOptions{
		Level: level,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			return scrub.attr(a)
		},
	}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if format == "json" {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(h)
}

// scrubber replaces secrets in log values.
type scrubber struct{ r *strings.Replacer }

func newScrubber(secrets []string) scrubber {
	var pairs []string
	for _, s := range secrets {
		// Short values would scrub innocent text and are no real secret.
		if len(s) >= 8 {
			pairs = append(pairs, s, "[redacted]")
		}
	}
	return scrubber{r: strings.NewReplacer(pairs...)}
}

func (s scrubber) attr(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindString:
		return slog.String(a.Key, s.r.Replace(a.Value.String()))
	case slog.KindAny:
		switch v := a.Value.Any().(type) {
		case error:
			return slog.String(a.Key, s.r.Replace(v.Error()))
		case interface{ String() string }:
			return slog.String(a.Key, s.r.Replace(v.String()))
		}
	}
	return a
}
