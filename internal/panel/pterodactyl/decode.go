package pterodactyl

import (
	"bytes"
	"errors"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/panelbot/panelbot/internal/panel"
)

// num decodes a JSON number (integral or not), a numeric string or null
// into a non-negative int64: panels and their plugins differ in how they
// write figures, and a negative size means nothing.
type num int64

// UnmarshalJSON is lenient about the form and strict about the meaning.
func (n *num) UnmarshalJSON(b []byte) error {
	f, err := parseNumber(b)
	if err != nil {
		return err
	}
	*n = num(min(f, math.MaxInt64/2))
	return nil
}

// fnum is num for figures that have fractions (cpu_absolute).
type fnum float64

// UnmarshalJSON accepts the same forms as num.
func (n *fnum) UnmarshalJSON(b []byte) error {
	f, err := parseNumber(b)
	if err != nil {
		return err
	}
	*n = fnum(f)
	return nil
}

func parseNumber(b []byte) (float64, error) {
	s := string(bytes.Trim(bytes.TrimSpace(b), `"`))
	if s == "" || s == "null" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	if math.IsNaN(f) || f < 0 {
		return 0, nil
	}
	return min(f, 1e15*1e3), nil
}

// serverAttributes are the fields of a server object the bot uses, from the
// list (/api/client) and the details (/api/client/servers/{id}).
type serverAttributes struct {
	Identifier  string `json:"identifier"`
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Node        string `json:"node"`
	Limits      struct {
		Memory num `json:"memory"` // MiB, 0 = unlimited
		Disk   num `json:"disk"`   // MiB, 0 = unlimited
		CPU    num `json:"cpu"`    // percent of one core, 0 = unlimited
	} `json:"limits"`
	Status         *string `json:"status"`
	IsSuspended    bool    `json:"is_suspended"`
	IsInstalling   bool    `json:"is_installing"`
	IsTransferring bool    `json:"is_transferring"`
	Relationships  struct {
		Allocations struct {
			Data []struct {
				Attributes allocation `json:"attributes"`
			} `json:"data"`
		} `json:"allocations"`
	} `json:"relationships"`
}

// allocation is one of a server's addresses.
type allocation struct {
	IP        string  `json:"ip"`
	IPAlias   *string `json:"ip_alias"`
	Port      num     `json:"port"`
	IsDefault bool    `json:"is_default"`
}

// address is the default allocation as host:port, the alias standing for
// the IP when set (it is the name players connect to); "" when there is no
// default allocation or it makes no sense.
func (a serverAttributes) address() string {
	for _, d := range a.Relationships.Allocations.Data {
		al := d.Attributes
		if !al.IsDefault {
			continue
		}
		host := al.IP
		if al.IPAlias != nil && strings.TrimSpace(*al.IPAlias) != "" {
			host = strings.TrimSpace(*al.IPAlias)
		}
		if host == "" || len(host) > 253 || al.Port == 0 || al.Port > 65535 || strings.ContainsAny(host, " /") {
			return ""
		}
		return net.JoinHostPort(host, strconv.Itoa(int(al.Port)))
	}
	return ""
}

type serverObject struct {
	Object     string           `json:"object"`
	Attributes serverAttributes `json:"attributes"`
}

type listResponse struct {
	Object string         `json:"object"`
	Data   []serverObject `json:"data"`
	Meta   struct {
		Pagination struct {
			CurrentPage int `json:"current_page"`
			TotalPages  int `json:"total_pages"`
		} `json:"pagination"`
	} `json:"meta"`
}

func (a serverAttributes) server() panel.Server {
	status := ""
	switch {
	case a.Status != nil:
		status = *a.Status
	case a.IsInstalling:
		status = "installing"
	case a.IsTransferring:
		status = "transferring"
	}
	return panel.Server{
		ID: a.Identifier, UUID: a.UUID, Name: clip(a.Name, 200), Description: clip(a.Description, 500),
		Node: clip(a.Node, 100), Address: a.address(), Suspended: a.IsSuspended, Status: clip(status, 40),
		Limits: panel.Limits{MemoryMB: int64(a.Limits.Memory), DiskMB: int64(a.Limits.Disk), CPUPercent: int64(a.Limits.CPU)},
	}
}

func (a serverAttributes) limits(at time.Time) limitsAt {
	return limitsAt{memMB: int64(a.Limits.Memory), diskMB: int64(a.Limits.Disk), at: at}
}

// statsResponse is /resources. Some hosts' guides show "state" where the
// panel writes "current_state"; both are read.
type statsResponse struct {
	Object     string `json:"object"`
	Attributes struct {
		CurrentState string `json:"current_state"`
		State        string `json:"state"`
		IsSuspended  bool   `json:"is_suspended"`
		Resources    struct {
			MemoryBytes    num  `json:"memory_bytes"`
			CPUAbsolute    fnum `json:"cpu_absolute"`
			DiskBytes      num  `json:"disk_bytes"`
			NetworkRxBytes num  `json:"network_rx_bytes"`
			NetworkTxBytes num  `json:"network_tx_bytes"`
			Uptime         num  `json:"uptime"` // milliseconds
		} `json:"resources"`
	} `json:"attributes"`
}

const mib = 1 << 20

func (s statsResponse) resources(l limitsAt) panel.Resources {
	a := s.Attributes
	state := a.CurrentState
	if state == "" {
		state = a.State
	}
	r := a.Resources
	return panel.Resources{
		State: panel.ParseState(state), Suspended: a.IsSuspended, Live: true,
		Uptime:      time.Duration(min(int64(r.Uptime), math.MaxInt64/int64(time.Millisecond))) * time.Millisecond,
		CPUPercent:  float64(r.CPUAbsolute),
		MemoryBytes: int64(r.MemoryBytes), MemoryLimitBytes: mibToBytes(l.memMB),
		DiskBytes: int64(r.DiskBytes), DiskLimitBytes: mibToBytes(l.diskMB),
		NetworkRxBytes: int64(r.NetworkRxBytes), NetworkTxBytes: int64(r.NetworkTxBytes),
	}
}

func mibToBytes(n int64) int64 {
	if n <= 0 || n > math.MaxInt64/mib {
		return 0
	}
	return n * mib
}

// validID accepts what the panel addresses servers by: the 8-character
// identifier or the full UUID. Anything else never reaches the panel.
func validID(id string) bool {
	if len(id) == 8 {
		return strings.IndexFunc(id, func(r rune) bool { return !isAlnum(r) }) < 0
	}
	if len(id) != 36 {
		return false
	}
	for i, r := range id {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
	}
	return true
}

func isAlnum(r rune) bool {
	return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
}
