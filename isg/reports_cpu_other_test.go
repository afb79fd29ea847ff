//go:build !unix

package isg_test

import (
	"testing"
	"time"
)

// cpuTime is unknown here: reportCPU then reports nothing.
func cpuTime() time.Duration { return 0 }

func reportCPU(*testing.B, time.Duration) {}
