package contract

import (
	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
)

// actor is the transaction's caller, as the contract and the domain see it.
type actor struct {
	caller access.Caller
	id     audit.Identity
}

func callerOf(ctx *txn.Context) (actor, error) {
	c, err := ctx.Caller()
	if err != nil {
		return actor{}, err
	}
	return actor{caller: c, id: audit.Identity{MSPID: c.MSPID, ID: c.ID}}, nil
}

// overseer reports whether the caller may see every engagement: the audit
// office's auditors and managers, and the regulator.
func (a actor) overseer() bool {
	c := a.caller
	if c.MSPID == access.RegulatorMSP {
		return true
	}
	return c.MSPID == AuditOfficeMSP && (c.Role() == RoleAuditor || c.Role() == RoleAuditManager)
}

// of reports whether the caller acts for agency: same MSP and the same agency
// attribute, since several agencies may share one MSP.
func (a actor) of(agency audit.Agency) bool {
	return a.caller.MSPID == agency.MSPID && a.caller.Agency() == agency.Code
}

// mayRead admits overseers and the audited agency's own users.
func (a actor) mayRead(function string, agency audit.Agency) error {
	if a.overseer() || a.of(agency) {
		return nil
	}
	return a.deny(function, "only the audit office, the regulator and the audited agency may read this engagement")
}

// mayAnswer admits only the audited agency's users: responses are the
// agency's word, which nobody may give on its behalf.
func (a actor) mayAnswer(function string, agency audit.Agency) error {
	if a.of(agency) {
		return nil
	}
	return a.deny(function, "only the audited agency's users may answer")
}

func (a actor) deny(function, reason string) error {
	return &access.DeniedError{Function: function, MSPID: a.caller.MSPID, Role: a.caller.Role(), Reason: reason}
}
