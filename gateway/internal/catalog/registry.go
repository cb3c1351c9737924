package catalog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// MetadataSource reads a chaincode's contract metadata from the ledger
// (evaluating org.hyperledger.fabric:GetMetadata).
type MetadataSource interface {
	Metadata(ctx context.Context, chaincode string) ([]byte, error)
}

// ErrIncomplete is wrapped when some configured chaincodes are not loaded.
var ErrIncomplete = errors.New("catalog incomplete")

// snapshot is one consistent catalog with its OpenAPI document.
type snapshot struct {
	catalog *Catalog
	openapi []byte
	failed  map[string]error
}

// Registry holds the current catalog of the configured chaincodes and
// rebuilds it on Refresh. Readers never block: they get the latest snapshot.
type Registry struct {
	src        MetadataSource
	chaincodes []string
	members    CollectionMembers
	info       APIInfo
	refresh    sync.Mutex
	current    atomic.Pointer[snapshot]
}

// NewRegistry serves the given chaincodes; nothing is loaded until Refresh.
func NewRegistry(src MetadataSource, chaincodes []string, members CollectionMembers, info APIInfo) *Registry {
	r := &Registry{src: src, chaincodes: append([]string(nil), chaincodes...), members: members, info: info}
	sort.Strings(r.chaincodes)
	failed := map[string]error{}
	for _, cc := range r.chaincodes {
		failed[cc] = errors.New("not loaded yet")
	}
	doc, _ := New().OpenAPI(info)
	r.current.Store(&snapshot{catalog: New(), openapi: doc, failed: failed})
	return r
}

// Catalog is the current catalog.
func (r *Registry) Catalog() *Catalog { return r.current.Load().catalog }

// OpenAPI is the current catalog's OpenAPI document.
func (r *Registry) OpenAPI() []byte { return r.current.Load().openapi }

// Serves reports whether chaincode is one the registry is configured for.
func (r *Registry) Serves(chaincode string) bool {
	i := sort.SearchStrings(r.chaincodes, chaincode)
	return i < len(r.chaincodes) && r.chaincodes[i] == chaincode
}

// Complete returns nil when every configured chaincode is loaded, else an
// error naming the missing ones.
func (r *Registry) Complete() error {
	failed := r.current.Load().failed
	if len(failed) == 0 {
		return nil
	}
	names := make([]string, 0, len(failed))
	for cc, err := range failed {
		names = append(names, fmt.Sprintf("%s (%v)", cc, err))
	}
	sort.Strings(names)
	return fmt.Errorf("%w: %s", ErrIncomplete, strings.Join(names, "; "))
}

// Refresh re-reads every chaincode's metadata. A chaincode that fails keeps
// its previous functions, so a peer hiccup never removes working routes; the
// failures are returned by chaincode name.
func (r *Registry) Refresh(ctx context.Context) map[string]error {
	r.refresh.Lock()
	defer r.refresh.Unlock()
	prev := r.current.Load()
	failed := map[string]error{}
	var loaded []*Chaincode
	for _, name := range r.chaincodes {
		raw, err := r.src.Metadata(ctx, name)
		if err == nil {
			var cc *Chaincode
			if cc, err = Parse(name, raw, r.members); err == nil {
				loaded = append(loaded, cc)
				continue
			}
		}
		failed[name] = err
		if old, ok := prev.catalog.chaincodes[name]; ok {
			loaded = append(loaded, old)
		}
	}
	next := New(loaded...)
	doc, err := next.OpenAPI(r.info)
	if err != nil {
		// The document is derived from metadata that just parsed; keep the
		// previous one rather than serve nothing.
		doc = prev.openapi
	}
	r.current.Store(&snapshot{catalog: next, openapi: doc, failed: failed})
	return failed
}
