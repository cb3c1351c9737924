package configgen

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/govledger/govledger/network/topology"
)

// ErrCollection is wrapped by Collections' errors for a collection that
// cannot be expressed.
var ErrCollection = errors.New("invalid collection")

// collectionJSON is the element `peer lifecycle chaincode approveformyorg
// --collections-config` reads (Fabric's internal/peer/chaincode).
type collectionJSON struct {
	Name              string               `json:"name"`
	Policy            string               `json:"policy"`
	RequiredPeerCount int                  `json:"requiredPeerCount"`
	MaxPeerCount      int                  `json:"maxPeerCount"`
	BlockToLive       uint64               `json:"blockToLive"`
	MemberOnlyRead    bool                 `json:"memberOnlyRead"`
	MemberOnlyWrite   bool                 `json:"memberOnlyWrite"`
	EndorsementPolicy *endorsementPolicyJS `json:"endorsementPolicy,omitempty"`
}

type endorsementPolicyJS struct {
	SignaturePolicy string `json:"signaturePolicy"`
}

// Collections renders the chaincode's collection configuration as the JSON
// array `--collections-config` takes. The member policy of each collection
// is OR over its members ('MSP.member'). A chaincode without collections
// yields nil: the runner then passes no --collections-config at all, on
// approve and commit alike, since every organisation must approve the same
// definition.
//
// cc should come from a validated topology; Collections checks only what it
// needs to render valid JSON (members present, policies parse).
func Collections(cc topology.Chaincode) ([]byte, error) {
	if len(cc.Collections) == 0 {
		return nil, nil
	}
	out := make([]collectionJSON, 0, len(cc.Collections))
	for i, c := range cc.Collections {
		field := fmt.Sprintf("chaincode %s collections[%d]", cc.Name, i)
		if len(c.Members) == 0 {
			return nil, fmt.Errorf("%w: %s (%s): no members", ErrCollection, field, c.Name)
		}
		cj := collectionJSON{
			Name:              c.Name,
			Policy:            topology.AnyOf(topology.RoleMember, c.Members...).String(),
			RequiredPeerCount: c.RequiredPeerCount,
			MaxPeerCount:      c.MaxPeerCount,
			BlockToLive:       c.BlockToLive,
			MemberOnlyRead:    c.MemberOnlyRead,
			MemberOnlyWrite:   c.MemberOnlyWrite,
		}
		if _, err := topology.ParsePolicy(cj.Policy); err != nil {
			return nil, fmt.Errorf("%w: %s (%s) members: %w", ErrCollection, field, c.Name, err)
		}
		if c.EndorsementPolicy != "" {
			p, err := topology.ParsePolicy(c.EndorsementPolicy)
			if err != nil {
				return nil, fmt.Errorf("%w: %s (%s) endorsementPolicy: %w", ErrCollection, field, c.Name, err)
			}
			cj.EndorsementPolicy = &endorsementPolicyJS{SignaturePolicy: p.String()}
		}
		out = append(out, cj)
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("collections of %s: %w", cc.Name, err)
	}
	return append(data, '\n'), nil
}
