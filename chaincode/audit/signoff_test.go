package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestQuorumValidate(t *testing.T) {
	many := make([]audit.Identity, audit.MaxSigners+1)
	for i := range many {
		many[i] = audit.Identity{MSPID: "AuditOfficeMSP", ID: "signer-" + strings.Repeat("x", i+1)}
	}
	tests := []struct {
		name  string
		q     audit.Quorum
		field string
		rule  string
	}{
		{"accepts two of three named signers", quorum(), "", ""},
		{"accepts all signers required", audit.Quorum{Required: 2, Signers: []audit.Identity{auditor1, auditor2}}, "", ""},
		{"rejects no signers", audit.Quorum{Required: 2}, "signers", validate.RuleRequired},
		{"rejects more than the maximum of signers", audit.Quorum{Required: 2, Signers: many}, "signers", audit.RuleMaxItems},
		{"rejects a quorum of one", audit.Quorum{Required: 1, Signers: []audit.Identity{auditor1, auditor2}}, "required", validate.RuleRange},
		{"rejects a quorum larger than the signers", audit.Quorum{Required: 3, Signers: []audit.Identity{auditor1, auditor2}}, "required", validate.RuleRange},
		{"rejects a repeated signer", audit.Quorum{Required: 2, Signers: []audit.Identity{auditor1, auditor1}}, "signers[1]", audit.RuleUnique},
		{"rejects an unnamed signer", audit.Quorum{Required: 2, Signers: []audit.Identity{auditor1, {MSPID: "AuditOfficeMSP"}}}, "signers[1].id", validate.RuleRequired},
		{"rejects a signer without MSP", audit.Quorum{Required: 2, Signers: []audit.Identity{{ID: "x"}, auditor1}}, "signers[0].mspId", validate.RuleRequired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := audit.NewSignOff(tc.q)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			requireRule(t, err, tc.field, tc.rule)
		})
	}
}

func TestIdentityValidate(t *testing.T) {
	tests := []struct {
		name  string
		id    audit.Identity
		field string
	}{
		{"accepts a certificate identity", auditor1, ""},
		{"rejects a blank ID", audit.Identity{MSPID: "AuditOfficeMSP", ID: "  "}, "id"},
		{"rejects an overlong ID", audit.Identity{MSPID: "AuditOfficeMSP", ID: strings.Repeat("a", audit.MaxIdentityLen+1)}, "id"},
		{"rejects control characters in the ID", audit.Identity{MSPID: "AuditOfficeMSP", ID: "a\x00b"}, "id"},
		{"rejects a malformed MSP ID", audit.Identity{MSPID: "Audit Office", ID: "a"}, "mspId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.id.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			requireField(t, err, tc.field)
		})
	}
}

func TestSignOffSign(t *testing.T) {
	fresh, err := audit.NewSignOff(quorum())
	require.NoError(t, err)

	t.Run("is complete only when the quorum has signed", func(t *testing.T) {
		s, err := fresh.Sign(auditor1, t0)
		require.NoError(t, err)
		require.False(t, s.Complete())
		require.True(t, s.Signed(auditor1))
		s, err = s.Sign(manager1, t0.Add(time.Minute))
		require.NoError(t, err)
		require.True(t, s.Complete())
		require.Equal(t, []audit.Signature{{Signer: auditor1, SignedAt: t0}, {Signer: manager1, SignedAt: t0.Add(time.Minute)}}, s.Signatures)
	})
	t.Run("leaves the original sign-off unchanged", func(t *testing.T) {
		_, err := fresh.Sign(auditor1, t0)
		require.NoError(t, err)
		require.Empty(t, fresh.Signatures)
	})
	tests := []struct {
		name   string
		first  audit.Identity
		second audit.Identity
		want   error
	}{
		{"rejects a duplicate signature", auditor1, auditor1, audit.ErrDuplicateSignature},
		{"rejects a signer who is not named", auditor1, buyer1, audit.ErrUnnamedSigner},
		{"rejects a named signer's ID under another MSP", auditor1, audit.Identity{MSPID: "ProcurementMSP", ID: auditor2.ID}, audit.ErrUnnamedSigner},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := fresh.Sign(tc.first, t0)
			require.NoError(t, err)
			_, err = s.Sign(tc.second, t0)
			require.ErrorIs(t, err, tc.want)
		})
	}
}
