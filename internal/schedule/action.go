package schedule

import (
	"fmt"
	"strings"

	"github.com/panelbot/panelbot/internal/panel"
)

// ActionCommand is the action name of a console command; the others are
// the power signals' names.
const ActionCommand = "command"

// Action is what a schedule does: a power signal, or a console command.
type Action struct {
	Signal  panel.Signal // empty for a command
	Command string       // empty for a signal
}

// ParseAction reads an action name (start, stop, restart, kill, command);
// a command needs its text, a signal takes none.
func ParseAction(name, command string) (Action, error) {
	if name == ActionCommand {
		if err := panel.ValidateCommand(command, panel.MaxCommandRunes); err != nil {
			return Action{}, fmt.Errorf("%w: %w", ErrBadSpec, err)
		}
		return Action{Command: command}, nil
	}
	sig, err := panel.ParseSignal(name)
	if err != nil {
		return Action{}, fmt.Errorf("%w: %w", ErrBadSpec, err)
	}
	if strings.TrimSpace(command) != "" {
		return Action{}, fmt.Errorf("%w: only the command action takes a command", ErrBadSpec)
	}
	return Action{Signal: sig}, nil
}

// Name is the action's name, as ParseAction reads it.
func (a Action) Name() string {
	if a.Command != "" {
		return ActionCommand
	}
	return string(a.Signal)
}
