package isg

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/isgkit/gateway/agreement"
)

// flowCache keeps flows already decoded, each with the store version it was decoded from. A
// listing reads the records from the store as always and decodes only those whose version it has
// not seen: decoding JSON is most of a listing's cost, and a record at a version never changes.
// Callers get deep copies, so nothing they do reaches the cache.
type flowCache struct {
	mu    sync.RWMutex
	flows map[string]cachedFlow
}

type cachedFlow struct {
	version int64
	flow    agreement.Flow
}

// flowCacheCap bounds the cache; past it, it starts afresh, which costs only re-decoding.
const flowCacheCap = 50_000

func newFlowCache() *flowCache { return &flowCache{flows: map[string]cachedFlow{}} }

func (c *flowCache) decode(r Record) (agreement.Flow, error) {
	c.mu.RLock()
	cf, ok := c.flows[r.ID]
	c.mu.RUnlock()
	if ok && cf.version == r.Version {
		return cf.flow.Clone(), nil
	}
	var f agreement.Flow
	if err := json.Unmarshal(r.Body, &f); err != nil {
		return f, fmt.Errorf("isg: decoding flow %s: %w", r.ID, err)
	}
	c.mu.Lock()
	if len(c.flows) >= flowCacheCap {
		c.flows = map[string]cachedFlow{}
	}
	c.flows[r.ID] = cachedFlow{version: r.Version, flow: f.Clone()}
	c.mu.Unlock()
	return f, nil
}
