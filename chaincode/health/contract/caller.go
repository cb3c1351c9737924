package contract

import (
	"slices"

	"github.com/govledger/govledger/chaincode/health"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/txn"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

// healthRoles are the roles that make a member organisation's user a member
// of the collection for aggregate purposes.
var healthRoles = []string{RoleReporter, RoleClinician, RoleEpidemiologist, RoleHealthAdmin}

// actor is the transaction's caller.
type actor struct{ access.Caller }

func callerOf(ctx *txn.Context) (actor, error) {
	c, err := ctx.Caller()
	return actor{c}, err
}

func (a actor) actor() health.Actor { return health.Actor{MSPID: a.MSPID, ID: a.ID} }

func (a actor) reader() health.Reader {
	return health.Reader{MSPID: a.MSPID, ID: a.ID, Role: a.Role(), Agency: a.Agency()}
}

// member reports whether the caller belongs to the collection's
// organisations with a health role: who sees exact counts.
func (a actor) member() bool {
	return slices.Contains(CollectionMembers(), a.MSPID) && slices.Contains(healthRoles, a.Role())
}

// hospital is the reporting hospital the caller acts for. Its agency
// attribute goes into the public reference, so it must be an identifier.
func (a actor) hospital(function string) (health.Submitter, error) {
	if err := validate.ID("agency", a.Agency()); err != nil {
		return health.Submitter{}, a.deny(function, "the certificate needs an agency attribute naming the hospital")
	}
	return health.Submitter{MSPID: a.MSPID, Agency: a.Agency()}, nil
}

// mayRead admits epidemiologists to every record and clinicians to the
// records their own hospital submitted: the minimum a clinician needs.
func (a actor) mayRead(function string, ref health.CaseRef) error {
	switch {
	case a.MSPID == PublicHealthMSP && a.Role() == RoleEpidemiologist:
		return nil
	case a.MSPID == HospitalMSP && a.Role() == RoleClinician && a.Agency() != "" &&
		ref.Submitter.MSPID == a.MSPID && ref.Submitter.Agency == a.Agency():
		return nil
	}
	return a.deny(function, "clinicians read only their own hospital's records")
}

func (a actor) deny(function, reason string) error {
	return &access.DeniedError{Function: function, MSPID: a.MSPID, Role: a.Role(), Reason: reason}
}
