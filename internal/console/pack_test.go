package console

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/panelbot/panelbot/internal/clock"
)

func testConfig(clk clock.Clock) *config {
	cfg := defaultConfig()
	cfg.postTimeout, cfg.drainTimeout, cfg.clock = time.Second, time.Second, clk
	return &cfg
}

// testSender is a sender with no hub, for the tests that compose and
// settle by hand.
func testSender(cfg *config) *sender {
	return &sender{channelID: testChannel, cfg: cfg, wake: make(chan struct{}, 1)}
}

// drainAll composes and settles every message as if Discord accepted it.
func drainAll(s *sender, final bool) []*outMsg {
	var out []*outMsg
	for {
		m := s.compose(final)
		if m == nil {
			return out
		}
		s.settle(m, sent, "")
		out = append(out, m)
	}
}

func TestBuilderMixesTextAndBlocks(t *testing.T) {
	var b builder
	require.True(t, b.addText("🟢 Server is running", width("🟢 Server is running")))
	require.True(t, b.addLine("a", 1))
	require.True(t, b.addLine("b``c", codeWidth("b``c")))
	require.True(t, b.addText("done", 4))
	require.True(t, b.addLine("d", 1))
	got := b.String()
	assert.Equal(t, "🟢 Server is running\n```\na\nb`"+zwsp+"`c\n```\ndone\n```\nd\n```", got)
	assert.Equal(t, width(got), b.w)
	assert.Equal(t, 2*fenceWidth+1+(1+codeWidth("b``c"))+1, b.code)
}

func TestBuilderNeverExceedsLimit(t *testing.T) {
	var b builder
	for i := 0; ; i++ {
		l := fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%97))
		if !b.addLine(l, codeWidth(l)) {
			break
		}
	}
	got := b.String()
	assert.LessOrEqual(t, width(got), maxContent)
	assert.Greater(t, width(got), maxContent-110, "a full message leaves at most one line's room")
}

func TestPackQuietLineIsOneBlock(t *testing.T) {
	s := testSender(testConfig(newTestClock()))
	s.addLine("\x1b[32mhello\x1b[0m")
	msgs := drainAll(s, false)
	require.Len(t, msgs, 1)
	assert.Equal(t, "```\nhello\n```", msgs[0].content)
	assert.True(t, msgs[0].silent)
	assert.Nil(t, msgs[0].file)
}

func TestPackBusyFillsMessages(t *testing.T) {
	s := testSender(testConfig(newTestClock()))
	for i := range 200 {
		s.addLine(fmt.Sprintf("[12:00:%02d INFO]: line %03d of a busy console", i%60, i))
	}
	msgs := drainAll(s, false)
	require.Len(t, msgs, 5, "8 KB of lines takes five messages, not folded: the lag is still small")
	for _, m := range msgs[:4] {
		assert.LessOrEqual(t, width(m.content), maxContent)
		assert.Greater(t, width(m.content), maxContent-50, "full message")
	}
	assert.Equal(t, 200, s.Stats().Posted)
}

func TestFoldAfterLag(t *testing.T) {
	clk := newTestClock()
	s := testSender(testConfig(clk))
	for i := range 100 { // four messages' worth: within the pace floor
		s.addLine(fmt.Sprintf("line %03d %s", i, strings.Repeat("=", 60)))
	}
	first := s.compose(false)
	require.Nil(t, first.file, "no fold while the lag is below the fold delay")
	s.settle(first, sent, "")
	clk.Advance(DefaultFoldAfter)
	m := s.compose(false)
	require.NotNil(t, m.file, "lag reached the fold delay")
	s.settle(m, sent, "")
	text, code := blocks(t, m.content)
	require.Len(t, text, 1)
	assert.Contains(t, text[0], fmt.Sprintf("📎 %d console lines from <t:%d:T> to <t:%d:T>", m.folded, clk.Now().Add(-DefaultFoldAfter).Unix(), clk.Now().Add(-DefaultFoldAfter).Unix()))
	assert.Equal(t, "console-20260102-150405.log", m.file.name)
	assert.True(t, m.silent, "a fold alone does not notify")
	assert.Equal(t, "line 099 "+strings.Repeat("=", 60), code[len(code)-1], "the newest lines are shown live")
	assert.LessOrEqual(t, width(m.content), maxContent)
	assert.Greater(t, width(m.content), maxContent-100, "the fold message is full too")
	st := s.Stats()
	assert.Equal(t, 100, st.Posted+st.Folded)
	assert.Zero(t, st.Pending)
	assert.Nil(t, s.compose(false), "everything was taken")
	// The attachment holds exactly the lines between the first message and the tail.
	fileLines := strings.Split(strings.TrimSuffix(readAll(t, m.file), "\n"), "\n")
	assert.Len(t, fileLines, m.folded)
	assert.Equal(t, first.posted, lineNo(t, fileLines[0]))
	assert.Equal(t, lineNo(t, fileLines[len(fileLines)-1])+1, lineNo(t, code[0]))
}

func lineNo(t *testing.T, l string) int {
	t.Helper()
	var n int
	_, err := fmt.Sscanf(l, "line %d", &n)
	require.NoError(t, err, l)
	return n
}

func readAll(t *testing.T, a *attachment) string {
	t.Helper()
	var b strings.Builder
	buf := make([]byte, 7) // small reads cross line boundaries
	r := a.reader()
	for {
		n, err := r.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	require.Equal(t, a.size(), int64(b.Len()))
	return b.String()
}

// A backlog the channel could not post within the fold delay, at the pace
// Discord accepted messages lately, is folded at once.
func TestFoldWhenBacklogOutpacesChannel(t *testing.T) {
	clk := newTestClock()
	s := testSender(testConfig(clk))
	fill := func() {
		for i := range 300 { // about eleven messages' worth
			s.addLine(fmt.Sprintf("line %03d %s", i, strings.Repeat("=", 60)))
		}
	}
	fill()
	m := s.compose(false)
	assert.NotNil(t, m.file, "no recent posts: the pace floor of 5 messages applies")
	s.settle(m, sent, "")
	drainAll(s, false) // nothing left
	for range 20 {     // a channel that took 20 messages in the last fold delay
		s.addLine("x")
		s.settle(s.compose(false), sent, "")
		clk.Advance(100 * time.Millisecond)
	}
	fill()
	m = s.compose(false)
	assert.Nil(t, m.file, "at the observed pace the backlog drains within the fold delay")
	s.settle(m, sent, "")
	clk.Advance(DefaultFoldAfter)
	m = s.compose(false)
	assert.NotNil(t, m.file, "the pace is measured over the last fold delay only")
}

func TestFoldSplitsBigBacklog(t *testing.T) {
	clk := newTestClock()
	cfg := testConfig(clk)
	cfg.maxAttachment = 16 << 10
	s := testSender(cfg)
	for i := range 1000 {
		s.addLine(fmt.Sprintf("line %04d %s", i, strings.Repeat("#", 90)))
	}
	msgs := drainAll(s, true)
	files := 0
	for i, m := range msgs {
		if m.file == nil {
			continue
		}
		files++
		assert.LessOrEqual(t, m.file.size(), int64(16<<10))
		_, code := blocks(t, m.content)
		if i < len(msgs)-1 {
			assert.Empty(t, code, "a part before the last shows no lines: older lines are still waiting")
		}
	}
	assert.Greater(t, files, 5)
	st := s.Stats()
	assert.Equal(t, 1000, st.Posted+st.Folded)
	assert.Equal(t, len(msgs), st.Messages)
}

func TestFoldTakesAtMostHalfTheCap(t *testing.T) {
	cfg := testConfig(newTestClock())
	cfg.maxBytes = 64 << 10
	s := testSender(cfg)
	for i := range 2000 {
		s.addLine(fmt.Sprintf("line %04d %s", i, strings.Repeat("-", 90)))
	}
	require.Positive(t, s.Stats().Dropped, "the queue reached the cap")
	m := s.compose(true)
	require.NotNil(t, m.file)
	assert.LessOrEqual(t, m.bytes, cfg.maxBytes/2, "in flight leaves half the cap to the queue")
	_, code := blocks(t, m.content)
	assert.Empty(t, code, "older lines still wait, so no newer ones are shown yet")
	before := s.Stats().Dropped
	for i := range 100 {
		s.addLine(fmt.Sprintf("new %04d %s", i, strings.Repeat("-", 90)))
	}
	assert.InDelta(t, before+100, s.Stats().Dropped, 1, "room was made by dropping the oldest queued lines")
	assert.LessOrEqual(t, s.held, cfg.maxBytes)
	assert.Equal(t, "new 0099 "+strings.Repeat("-", 90), s.lines.at(s.lines.len()-1).text)
}

func TestMemoryCapDropsOldestAndSaysSo(t *testing.T) {
	cfg := testConfig(newTestClock())
	cfg.maxBytes = 8 << 10
	s := testSender(cfg)
	for i := range 1000 {
		s.addLine(fmt.Sprintf("line %04d", i))
	}
	st := s.Stats()
	per := len("line 0000") + lineOverhead
	assert.Equal(t, cfg.maxBytes/per, st.Pending)
	assert.Equal(t, 1000-st.Pending, st.Dropped)
	msgs := drainAll(s, true)
	text, code := blocks(t, msgs[0].content)
	assert.Equal(t, fmt.Sprintf("⚠ %d console lines were dropped: the console produced more than the bot can hold", st.Dropped), text[0])
	assert.Equal(t, fmt.Sprintf("line %04d", st.Dropped), code[0], "the newest lines are kept")
	assert.False(t, msgs[0].silent, "a warning notifies")
}

func TestLineCap(t *testing.T) {
	cfg := testConfig(newTestClock())
	cfg.maxLines = 100
	s := testSender(cfg)
	for i := range 250 {
		s.addLine(fmt.Sprintf("l%d", i))
	}
	assert.Equal(t, 100, s.Stats().Pending)
	assert.Equal(t, 150, s.Stats().Dropped)
}

func TestNoticesKeepOrderAndNotify(t *testing.T) {
	s := testSender(testConfig(newTestClock()))
	s.addLine("Stopping server")
	s.addLine("Saving chunks")
	s.addNotice("🔴 Server is offline")
	s.addLine("late line")
	msgs := drainAll(s, false)
	require.Len(t, msgs, 1)
	assert.Equal(t, "```\nStopping server\nSaving chunks\n```\n🔴 Server is offline\n```\nlate line\n```", msgs[0].content)
	assert.False(t, msgs[0].silent)
}

func TestUrgentGoesFirst(t *testing.T) {
	s := testSender(testConfig(newTestClock()))
	for i := range 100 {
		s.addLine(fmt.Sprintf("flood %d %s", i, strings.Repeat("-", 50)))
	}
	s.addUrgent("⚠ <@123> command not sent: it contains control characters.")
	m := s.compose(false)
	assert.True(t, strings.HasPrefix(m.content, "⚠ <@123> command not sent"), m.content)
}

func TestFoldKeepsNoticesVisible(t *testing.T) {
	clk := newTestClock()
	s := testSender(testConfig(clk))
	for i := range 200 {
		s.addLine(fmt.Sprintf("line %03d %s", i, strings.Repeat("=", 60)))
	}
	s.addNotice("🟠 Server is stopping")
	for i := 200; i < 230; i++ {
		s.addLine(fmt.Sprintf("line %03d", i))
	}
	clk.Advance(time.Minute)
	m := s.compose(false)
	require.NotNil(t, m.file)
	assert.Equal(t, 200, m.folded, "only the lines before the notice are folded")
	text, code := blocks(t, m.content)
	assert.Equal(t, "🟠 Server is stopping", text[1])
	assert.Equal(t, "line 200", code[0])
}

// FuzzPack feeds arbitrary console output through the packer and checks
// every message: at most 2000 characters, well-formed code blocks, no
// control characters, and every line shown once, in order, in a block or
// an attachment. Lines starting with '!' are sent as notices.
func FuzzPack(f *testing.F) {
	f.Add("hello\nworld", byte(0))
	f.Add("```js\nalert(1)\n```", byte(1))
	f.Add("@everyone <@&1> <@2>\n\x1b[31mred\n!notice\n"+strings.Repeat("y", 5000), byte(2))
	f.Add(strings.Repeat("a line of console output\n", 400)+"!stop\n"+strings.Repeat("`", 4100), byte(3))
	f.Fuzz(func(t *testing.T, input string, mode byte) {
		clk := newTestClock()
		cfg := testConfig(clk)
		cfg.maxAttachment = 16 << 10
		s := testSender(cfg)
		want := feed(s, input)
		if mode&1 == 1 {
			clk.Advance(time.Hour) // every line is old: fold what is over two messages
		}
		var got []string
		for _, m := range drainAll(s, mode&2 == 2) {
			got = append(got, checkMessage(t, m)...)
		}
		require.Equal(t, want, got)
		st := s.Stats()
		require.Equal(t, st.Lines, st.Posted+st.Folded)
		require.Zero(t, st.Pending)
	})
}

// feed queues the input and returns what must come out, in order.
func feed(s *sender, input string) []string {
	var want []string
	for i, l := range strings.Split(input, "\n") {
		if rest, ok := strings.CutPrefix(l, "!"); ok {
			n := fmt.Sprintf("n%d %s", i, rest)
			s.addNotice(n)
			want = append(want, "text:"+sanitizeNotice(n))
			continue
		}
		s.addLine(l)
		for _, p := range sanitizeLine(nil, l) {
			for _, piece := range splitPieces(nil, p) {
				want = append(want, "line:"+breakBackticks(piece))
			}
		}
	}
	return want
}

// checkMessage validates one message and returns its items in order.
func checkMessage(t *testing.T, m *outMsg) []string {
	require.LessOrEqual(t, utf8.RuneCountInString(m.content), maxContent)
	require.LessOrEqual(t, width(m.content), maxContent)
	require.True(t, utf8.ValidString(m.content))
	for _, r := range m.content {
		require.False(t, r != '\n' && (unicode.IsControl(r) || isInvisibleControl(r)), "control %U", r)
	}
	var items []string
	if m.file != nil {
		require.LessOrEqual(t, m.file.size(), int64(16<<10))
		for _, l := range strings.Split(strings.TrimSuffix(readAll(t, m.file), "\n"), "\n") {
			items = append(items, "line:"+breakBackticks(l))
		}
	}
	in := false
	for _, l := range strings.Split(m.content, "\n") {
		switch {
		case l == "```":
			in = !in
		case in:
			require.NotContains(t, l, "``")
			// Code lines are compared as rendered: the packer's output
			// must be exactly the piece with its backtick runs broken.
			items = append(items, "line:"+l)
		case strings.HasPrefix(l, "📎 ") || strings.HasPrefix(l, "⚠ "):
		default:
			require.NotContains(t, l, "```")
			items = append(items, "text:"+l)
		}
	}
	require.False(t, in, "unclosed block")
	return items
}

// A message Discord refused showed nothing, so the warnings it carried are
// told again in the next one; nothing is lost without a word.
func TestRefusedMessageWarningsAreToldAgain(t *testing.T) {
	cfg := testConfig(newTestClock())
	cfg.maxBytes = 8 << 10
	s := testSender(cfg)
	for i := range 300 {
		s.addLine(fmt.Sprintf("line %04d", i))
	}
	dropped := s.Stats().Dropped
	require.Positive(t, dropped)
	m := s.compose(false)
	require.Contains(t, m.content, fmt.Sprintf("⚠ %d console lines were dropped", dropped))
	s.settle(m, refused, "HTTP 403")
	next := s.compose(false)
	text, _ := blocks(t, next.content)
	assert.Equal(t, []string{
		fmt.Sprintf("⚠ %d console lines were dropped: the console produced more than the bot can hold", dropped),
		fmt.Sprintf("⚠ %d console lines were not posted: Discord refused the message (HTTP 403)", m.posted),
	}, text)
	s.settle(next, sent, "")
	assert.Nil(t, s.compose(false), "told once, once accepted")
}
