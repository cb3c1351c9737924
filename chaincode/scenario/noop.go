package scenario

import (
	"testing"

	"github.com/govledger/govledger/chaincode/ccerror"
)

func init() {
	register(Suite{Name: "noop round trip", Chaincodes: []string{"noop"}, Run: noopRoundTrip})
}

// noopRoundTrip writes through one org and reads through the regulator, and
// proves that bad input is refused naming the field on either ledger.
func noopRoundTrip(t *testing.T, s *Session) {
	buyer := User{"ProcurementMSP", "buyer1"}
	regulator := User{"RegulatorMSP", "regulator1"}
	key := "scenario-" + s.RunID

	s.Submit(t, buyer, Call{Chaincode: "noop", Function: "Noop:Put", Args: []string{key, "shared record"}})
	s.EvaluateUntil(t, regulator, Call{Chaincode: "noop", Function: "Noop:Get", Args: []string{key}},
		func(out []byte) bool { return string(out) == "shared record" })

	s.Rejects(t, buyer, Call{Chaincode: "noop", Function: "Noop:Put", Args: []string{"", "v"}}, ccerror.InvalidArgument, "key")
}
