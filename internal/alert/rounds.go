package alert

import (
	"errors"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
	"github.com/panelbot/panelbot/internal/store"
	"github.com/panelbot/panelbot/internal/watch"
)

// server steps one server's machines and returns those that changed.
func (e *Evaluator) server(s watch.Snapshot) []*level {
	key := s.Target.Key()
	set := e.cfg.settings(s.Target.Panel, key)
	var changed []*level
	step := func(kind store.AlertCondition, r reading, hold time.Duration, detail string) {
		l := e.level(key, kind)
		if tr := l.step(s.At, r, hold); tr != none {
			l.note = Notice{Channel: set.Channel, Subject: s.Target.Label(), Detail: detail}
			if tr == opened && kind == Crash {
				l.note.Tail = e.tail(key, TailLines)
			}
			changed = append(changed, l)
		}
	}
	crash, why := e.crash(s, key)
	step(Crash, crash, 0, why)
	limits := map[string]float64{string(CPU): set.Limits.CPUPercent, string(Memory): set.Limits.MemoryPercent, string(Disk): set.Limits.DiskPercent}
	for kind, f := range figures(s) {
		if t := limits[kind]; t > 0 {
			step(store.AlertCondition(kind), threshold(f.percent, t), e.cfg.For, f.text)
		}
	}
	return changed
}

// crash reads the crash condition of one server: it was running last
// round and is not now, or Wings wrote its crash line since last round,
// and the bot sent it no power action lately. It clears when the server
// runs.
func (e *Evaluator) crash(s watch.Snapshot, key string) (reading, string) {
	prev, had := e.states[key]
	if s.Err == nil {
		e.states[key] = string(s.Res.State)
	}
	why := ""
	if had && prev == string(panel.StateRunning) && s.Err == nil && s.Res.State != panel.StateRunning {
		why = "It was running and is now " + string(s.Res.State) + ", without a power action from the bot."
	}
	if e.crashLine(key) {
		why = "Wings reported the server process in a crashed state."
	}
	if why != "" && e.powers.recent(key, s.At, powerRounds*e.cfg.Interval) {
		why = ""
	}
	return reading{holds: why != "", cleared: running(s)}, why
}

// crashLine tells whether Wings' crash line reached the relayed console
// since the last round. The first round only takes note of the tail:
// a crash before the bot started is not news.
func (e *Evaluator) crashLine(key string) bool {
	cur := e.tail(key, scanLines)
	prev, had := e.seen[key]
	e.seen[key] = cur
	if !had {
		return false
	}
	for _, l := range newLines(prev, cur) {
		if isCrashLine(l) {
			return true
		}
	}
	return false
}

// panels steps each panel's unreachable machine: it holds while the panel
// answered for none of its servers, and clears when it answers for one.
func (e *Evaluator) panels(round []watch.Snapshot) []*level {
	failed, answered := map[string]error{}, map[string]bool{}
	var order []string
	for _, s := range round {
		p := s.Target.Panel
		if _, ok := failed[p]; !ok && !answered[p] {
			order = append(order, p)
		}
		if s.Err == nil {
			answered[p] = true
		} else if failed[p] == nil {
			failed[p] = s.Err
		}
	}
	at := roundTime(round)
	var changed []*level
	for _, p := range order {
		l := e.level(p, Unreachable)
		r := reading{holds: !answered[p], cleared: answered[p]}
		if tr := l.step(at, r, e.cfg.For); tr != none {
			l.note = Notice{Channel: e.cfg.settings(p, "").Channel, Subject: "panel " + p, Detail: problem(failed[p], tr)}
			changed = append(changed, l)
		}
	}
	return changed
}

// problem is the panel's error in a few words for the channel: its kind,
// never its text, which may carry addresses.
func problem(err error, tr transition) string {
	if tr != opened || err == nil {
		return ""
	}
	var pe *panel.Error
	if errors.As(err, &pe) && pe.Class != nil {
		return "Last error: " + pe.Class.Error() + "."
	}
	return "The panel does not answer."
}

// channelFor is where a kept episode's notices go after a restart.
func (e *Evaluator) channelFor(server string) string {
	p, _, _ := strings.Cut(server, "/")
	if !strings.Contains(server, "/") {
		return e.cfg.settings(server, "").Channel
	}
	return e.cfg.settings(p, server).Channel
}
