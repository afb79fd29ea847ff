package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sync"

	"github.com/isgkit/gateway/isg"
	"github.com/isgkit/gateway/isg/httpapi"
	"github.com/isgkit/gateway/storage/memory"
	"github.com/isgkit/gateway/storage/sqlite"
)

// protocolMode is how the server wants the command protocol served.
type protocolMode struct {
	// resolve finds a request's actor from its session (production mode).
	resolve func(*http.Request) (isg.Actor, error)
	// conformance, when set, is conformance mode: the caller names the actor, and the scenario
	// controls (reset, clock, drain) are open. parseFlags allows it on loopback only, and the
	// handler answers loopback callers only.
	conformance *httpapi.Conformance
	maxBody     int64
}

// commandsFunc builds the handler of the command protocol (everything under /v1/ but the
// session) over g. It is a parameter of the server so that tests can put their own in.
type commandsFunc func(g *isg.Gateway, m protocolMode) (http.Handler, error)

// httpapiCommands serves the command protocol of docs/protocol.md with isg/httpapi. In
// production the actor is the session's (httpapi.WithActor); in conformance mode it is given no
// resolver, so a call naming no actor runs as the host, as a scenario step with no "as" does.
func httpapiCommands(g *isg.Gateway, m protocolMode) (http.Handler, error) {
	opts := []httpapi.Option{httpapi.WithMaxBody(m.maxBody)}
	if m.conformance != nil {
		return httpapi.New(nil, append(opts, httpapi.WithConformance(*m.conformance))...)
	}
	return httpapi.New(g, append(opts, httpapi.WithActor(m.resolve))...)
}

// conformanceStores makes the fresh, empty store each conformance reset asks for: a new memory
// store, or a new SQLite file in a directory of its own (never the -db file, which a reset would
// otherwise wipe). The previous store is closed and its file removed: a scenario run is
// sequential, so nothing still uses it.
type conformanceStores struct {
	mu      sync.Mutex
	memory  bool
	dir     string
	n       int
	current io.Closer
	opts    []isg.Option
}

func newConformanceStores(memoryStore bool, opts []isg.Option) (*conformanceStores, error) {
	c := &conformanceStores{memory: memoryStore, opts: opts}
	if !memoryStore {
		dir, err := os.MkdirTemp("", "isg-conformance-")
		if err != nil {
			return nil, err
		}
		c.dir = dir
	}
	return c, nil
}

// reset implements httpapi.Conformance.Reset.
func (c *conformanceStores) reset(_ context.Context, opts ...isg.Option) (*isg.Gateway, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.closeCurrent(); err != nil {
		return nil, err
	}
	var store isg.Store
	if c.memory {
		store = memory.New()
	} else {
		c.n++
		st, err := sqlite.Open(filepath.Join(c.dir, fmt.Sprintf("reset-%d.sqlite", c.n)))
		if err != nil {
			return nil, err
		}
		store, c.current = st, st
	}
	return isg.New(store, append(append([]isg.Option{}, c.opts...), opts...)...)
}

func (c *conformanceStores) closeCurrent() error {
	if c.current == nil {
		return nil
	}
	err := c.current.Close()
	c.current = nil
	if c.dir != "" {
		err = errors.Join(err, os.Remove(filepath.Join(c.dir, fmt.Sprintf("reset-%d.sqlite", c.n))))
		// SQLite's write-ahead log and shared memory files, where the mode leaves them.
		for _, suffix := range []string{"-wal", "-shm"} {
			if rerr := os.Remove(filepath.Join(c.dir, fmt.Sprintf("reset-%d.sqlite%s", c.n, suffix))); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
				err = errors.Join(err, rerr)
			}
		}
	}
	return err
}

// close closes the last store and removes the directory.
func (c *conformanceStores) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.closeCurrent()
	if c.dir != "" {
		err = errors.Join(err, os.RemoveAll(c.dir))
	}
	return err
}
