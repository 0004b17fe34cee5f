package console

import "strings"

// builder assembles one message's content from plain paragraphs and code
// blocks, in order, never letting it exceed maxContent. Widths are UTF-16
// code units (see maxContent). While a code block is open, the width of its
// closing fence is already counted, so closing never overflows.
type builder struct {
	b       strings.Builder
	w       int // width so far, including an open block's closing fence
	inBlock bool
	// code is the width of finished and open code blocks, fences included:
	// the throughput figure the benchmarks report.
	code int
}

// room is how much width is left.
func (m *builder) room() int { return maxContent - m.w }

// empty reports whether nothing was added yet.
func (m *builder) empty() bool { return m.w == 0 }

// sep is the width of the newline that separates the next part from the
// previous one.
func (m *builder) sep() int {
	if m.w == 0 {
		return 0
	}
	return 1
}

// addText adds a plain paragraph (already sanitised, one line) of width w;
// it reports false, adding nothing, when it does not fit.
func (m *builder) addText(text string, w int) bool {
	if m.sep()+w > m.room() {
		return false
	}
	m.closeBlock()
	if m.w > 0 {
		m.b.WriteByte('\n')
		m.w++
	}
	m.b.WriteString(text)
	m.w += w
	return true
}

// lineCost is the width adding a console line of code width w would take,
// and how much of it is code (the newline before a new block is not).
func (m *builder) lineCost(w int) (cost, code int) {
	if m.inBlock {
		return 1 + w, 1 + w
	}
	return m.sep() + fenceWidth + w, fenceWidth + w
}

// addLine adds a sanitised console line whose code width is w, opening a
// code block if needed; it reports false, adding nothing, when it does not fit.
func (m *builder) addLine(text string, w int) bool {
	cost, code := m.lineCost(w)
	if cost > m.room() {
		return false
	}
	if m.w > 0 {
		m.b.WriteByte('\n')
	}
	if !m.inBlock {
		m.b.WriteString(fenceOpen)
		m.inBlock = true
	}
	writeCode(&m.b, text)
	m.w += cost
	m.code += code
	return true
}

func (m *builder) closeBlock() {
	if m.inBlock {
		m.b.WriteString(fenceClose)
		m.inBlock = false
	}
}

// String finishes the message.
func (m *builder) String() string {
	m.closeBlock()
	return m.b.String()
}
