package contract_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/benefits/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

func TestPolicyTableIsWellFormed(t *testing.T) {
	require.NoError(t, contract.Policy.Validate())
}

// TestPolicyAdmitsAndRefuses calls every function as one caller the table
// admits and several it refuses. Admitted callers may still fail (the
// arguments name nothing that exists) but never on the access policy.
func TestPolicyAdmitsAndRefuses(t *testing.T) {
	subj := "did:govledger:" + "00"
	tests := []struct {
		fn      string
		args    []string
		admits  memstub.Identity
		refuses []memstub.Identity
	}{
		{"CreateProgramme", []string{`{}`}, financeSSA, []memstub.Identity{caseSSA, accreditor, auditor, regulator, buyer}},
		{"ReviseProgramme", []string{`{}`}, financeSSA, []memstub.Identity{caseSSA, regulator}},
		{"CloseProgramme", []string{"p"}, financeSSA, []memstub.Identity{caseMUNI, regulator, hospCase}},
		{"GetProgramme", []string{"p"}, issuer, []memstub.Identity{buyer, hospCase}},
		{"GetProgrammeVersion", []string{"p", "1"}, regulator, []memstub.Identity{buyer}},
		{"ListProgrammes", []string{"0", ""}, accreditor, []memstub.Identity{buyer}},
		{"ListProgrammeVersions", []string{"p", "0", ""}, auditor, []memstub.Identity{hospCase}},
		{"SubmitApplication", []string{`{}`}, caseSSA, []memstub.Identity{financeSSA, issuer, auditor, regulator, regAsCase, hospCase}},
		{"ReassessApplication", []string{"a"}, caseMUNI, []memstub.Identity{financeSSA, regulator, regAsCase}},
		{"GetApplication", []string{"a"}, financeSSA, []memstub.Identity{issuer, accreditor, buyer}},
		{"ListApplications", []string{subj, "0", ""}, regulator, []memstub.Identity{issuer, buyer}},
		{"SuspendEntitlement", []string{"e", "review"}, caseSSA, []memstub.Identity{financeSSA, auditor, regulator}},
		{"ResumeEntitlement", []string{"e", "review"}, caseSSA, []memstub.Identity{financeSSA, regulator}},
		{"EndEntitlement", []string{"e", "review"}, caseSSA, []memstub.Identity{issuer, regulator, regAsCase}},
		{"GetEntitlement", []string{"e"}, auditor, []memstub.Identity{issuer, buyer}},
		{"ListEntitlements", []string{subj, "0", ""}, caseMUNI, []memstub.Identity{accreditor}},
		{"Disburse", []string{`{}`}, financeSSA, []memstub.Identity{caseSSA, auditor, regulator, buyer}},
		{"ListDisbursements", []string{"e", "0", ""}, financeSSA, []memstub.Identity{issuer}},
		{"GetFraudFlag", []string{"x"}, caseSSA, []memstub.Identity{issuer, buyer}},
		{"FileAppeal", []string{`{}`}, caseMUNI, []memstub.Identity{financeSSA, regulator, regAsCase}},
		{"ReviewAppeal", []string{"x"}, caseSSA, []memstub.Identity{financeSSA, auditor, regulator}},
		{"UpholdAppeal", []string{"x"}, caseSSA, []memstub.Identity{financeSSA, regulator}},
		{"DismissAppeal", []string{"x"}, caseSSA, []memstub.Identity{issuer, regulator}},
		{"WithdrawAppeal", []string{"x"}, caseSSA, []memstub.Identity{accreditor, regulator}},
		{"GetAppeal", []string{"x"}, regulator, []memstub.Identity{issuer, buyer}},
		{"ListAppeals", []string{"a", "0", ""}, auditor, []memstub.Identity{accreditor}},
		{"NoSuchFunction", nil, memstub.Identity{}, []memstub.Identity{financeSSA, regulator}},
	}
	// The arguments name nothing that exists, so no call changes state and
	// one fixture serves every case.
	f := newFixture(t)
	for _, tt := range tests {
		t.Run(tt.fn, func(t *testing.T) {
			f.t = t
			if tt.admits.MSPID != "" {
				_, err := f.call(tt.admits, nil, tt.fn, tt.args...)
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

func TestNewChaincodeRequiresItsSettings(t *testing.T) {
	tests := []struct {
		name string
		edit func(*contract.Config)
	}{
		{"refuses a missing identity chaincode", func(c *contract.Config) { c.IdentityChaincode = "" }},
		{"refuses a missing access function", func(c *contract.Config) { c.AccessFunction = "" }},
		{"refuses a zero account limit", func(c *contract.Config) { c.MaxSubjectsPerAccount = 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := contract.DefaultConfig()
			tt.edit(&cfg)
			_, err := contract.NewChaincode(cfg)
			require.Error(t, err)
		})
	}
	t.Run("builds the default chaincode", func(t *testing.T) {
		cc, err := contract.Chaincode()
		require.NoError(t, err)
		require.Equal(t, "GovLedger benefits", cc.Info.Title)
	})
}
