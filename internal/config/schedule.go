package config

import (
	"fmt"
	"strings"
	"time"
)

// EnvScheduleTZ names the time zone schedules are read in.
const EnvScheduleTZ = "SCHEDULE_TZ"

// location reads an IANA time zone ("Europe/Berlin"); unset is UTC. The
// binary embeds the zone database (time/tzdata), so a zone is found even
// in an image without /usr/share/zoneinfo.
func (l *loader) location(name string) *time.Location {
	v := l.get(name)
	if v == "" {
		return time.UTC
	}
	// "Local" would follow the host, which a container does not show.
	loc, err := time.LoadLocation(v)
	if err != nil || strings.EqualFold(v, "local") {
		l.fail(name, fmt.Sprintf("must be an IANA time zone such as Europe/Berlin or UTC, not %s", quoted(v)))
		return time.UTC
	}
	return loc
}
