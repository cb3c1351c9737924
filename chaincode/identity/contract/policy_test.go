package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/identity/contract"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

func TestPolicyTableIsWellFormed(t *testing.T) {
	require.NoError(t, contract.Policy.Validate())
}

// TestPolicyAdmitsAndRefuses calls every function as one caller the table
// admits and several it refuses. Admitted callers may still fail (the
// arguments name nothing that exists) but never on the access policy.
func TestPolicyAdmitsAndRefuses(t *testing.T) {
	tests := []struct {
		fn      string
		args    []string
		admits  memstub.Identity
		refuses []memstub.Identity
	}{
		{"AccreditIssuer", []string{`{}`}, accreditor, []memstub.Identity{issuerSSA, caseSSA, auditor, regulator, buyer}},
		{"AmendIssuer", []string{"SSA", `{}`}, accreditor, []memstub.Identity{issuerSSA, finance, regulator}},
		{"SuspendIssuer", []string{"SSA", `{}`}, accreditor, []memstub.Identity{issuerSSA, auditor, regulator}},
		{"ReinstateIssuer", []string{"SSA", `{}`}, accreditor, []memstub.Identity{caseMUNI, regulator}},
		{"RevokeIssuer", []string{"SSA", `{}`}, accreditor, []memstub.Identity{issuerSSA, regulator, hospitalCW}},
		{"GetIssuer", []string{"SSA"}, regulator, []memstub.Identity{buyer, hospitalCW}},
		{"ListIssuers", []string{"0", ""}, auditor, []memstub.Identity{buyer}},
		{"Attest", []string{`{}`}, issuerSSA, []memstub.Identity{accreditor, caseSSA, regulator, auditor}},
		{"RevokeAttestation", []string{"att-1"}, issuerSSA, []memstub.Identity{accreditor, caseSSA, regulator}},
		{"GetAttestation", []string{"att-1"}, auditor, []memstub.Identity{caseSSA, caseMUNI, finance, buyer}},
		{"GetAttestationStatus", []string{"att-1"}, caseMUNI, []memstub.Identity{buyer}},
		{"ListAttestations", []string{"SSA", "0", ""}, regulator, []memstub.Identity{caseSSA, buyer}},
		{"GrantConsent", []string{`{}`}, caseSSA, []memstub.Identity{issuerSSA, accreditor, regulator, regAsCase, hospitalCW}},
		{"RevokeConsent", []string{"c-1"}, caseMUNI, []memstub.Identity{issuerSSA, auditor, regulator, regAsCase}},
		{"GetConsent", []string{"c-1"}, auditor, []memstub.Identity{issuerSSA, finance, buyer}},
		{"ListConsents", []string{"did:govledger:00", "0", ""}, caseSSA, []memstub.Identity{issuerSSA, buyer}},
		{"AccessAttestation", []string{"att-1", purpose}, caseMUNI, []memstub.Identity{issuerSSA, finance, auditor, regulator, regAsCase}},
		{"ListAccessRecords", []string{"did:govledger:00", "0", ""}, regulator, []memstub.Identity{issuerSSA, finance, buyer}},
		{"NoSuchFunction", nil, memstub.Identity{}, []memstub.Identity{accreditor, regulator}},
	}
	// The arguments name nothing that exists, so no call changes state and
	// one fixture serves every case.
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			f.t = t
			if tt.admits.MSPID != "" {
				_, err := f.net.Submit(tt.admits, "identity:"+tt.fn, tt.args...)
				if err != nil {
					ce, ok := ccerror.Parse(err.Error())
					require.True(t, ok, err)
					require.NotEqual(t, "access-policy", ce.Rule, "admitted caller %s was refused", tt.admits.MSPID)
				}
			}
			for _, id := range tt.refuses {
				ce := f.fail(id, tt.fn, tt.args...)
				require.Equal(t, ccerror.PermissionDenied, ce.Code, "%s %v", id.MSPID, ce)
				require.Equal(t, "access-policy", ce.Rule)
			}
		})
	}
}
