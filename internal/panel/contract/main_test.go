package contract

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets more cases run at once than there are CPUs: they spend
// their time waiting (a panel's whole-second Retry-After, a timeout against
// a silent panel), not computing, and -parallel defaults to GOMAXPROCS,
// which on a 2-core machine would queue those waits one behind another.
// An explicit -parallel wins.
func TestMain(m *testing.M) {
	flag.Parse()
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}
