package app

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// version prints what `bot version` knows of this binary: the module's
// version, the VCS revision it was built from and the Go toolchain, all
// from the build information Go embeds.
func version(w io.Writer, read func() (*debug.BuildInfo, bool)) error {
	bi, ok := read()
	if !ok {
		_, err := fmt.Fprintln(w, "panelbot: no build information (built without module support)")
		return err
	}
	_, err := fmt.Fprintln(w, versionLine(bi))
	return err
}

// versionLine is one line: "panelbot v1.2.3 (revision 0123abcd…, modified) go1.26".
func versionLine(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	var vcs []string
	if rev := settings["vcs.revision"]; rev != "" {
		vcs = append(vcs, "revision "+rev)
	}
	if t := settings["vcs.time"]; t != "" {
		vcs = append(vcs, t)
	}
	if settings["vcs.modified"] == "true" {
		vcs = append(vcs, "modified")
	}
	line := "panelbot " + v
	if len(vcs) > 0 {
		line += " (" + strings.Join(vcs, ", ") + ")"
	}
	return line + " " + bi.GoVersion
}
