package isg_test

import "github.com/isgkit/gateway/isg/scenario"

func newClock() *scenario.Clock { return scenario.NewClock(t0) }
