package access_test

import (
	"testing"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/access"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/stretchr/testify/require"
)

func caller(msp, role string) access.Caller {
	return access.Caller{MSPID: msp, Attrs: map[string]string{access.AttrRole: role}}
}

var policy = access.Policy{
	"CreateTender": {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "procurement-officer"}}},
	"SubmitBid":    {Write: true, Roles: []access.Grant{{MSPID: "SupplierMSP", Role: access.AnyRole}}},
	"GetTender":    {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
	"AuditTrail":   {Roles: []access.Grant{{MSPID: access.RegulatorMSP, Role: access.RoleAuditor}, {MSPID: "AgencyMSP", Role: "auditor"}}},
	// Misconfigured on purpose: write rules that grant the regulator.
	"Override":  {Write: true, Roles: []access.Grant{{MSPID: access.RegulatorMSP, Role: access.RoleAuditor}}},
	"AnyWriter": {Write: true, Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
	"Nobody":    {},
}

func TestAuthorize(t *testing.T) {
	tests := []struct {
		name     string
		function string
		caller   access.Caller
		allowed  bool
	}{
		{"admits the granted MSP and role", "CreateTender", caller("AgencyMSP", "procurement-officer"), true},
		{"denies another role of the granted MSP", "CreateTender", caller("AgencyMSP", "clerk"), false},
		{"denies the granted role in another MSP", "CreateTender", caller("SupplierMSP", "procurement-officer"), false},
		{"admits any role for a role wildcard", "SubmitBid", caller("SupplierMSP", ""), true},
		{"admits any MSP for an MSP wildcard", "GetTender", caller("CitizenMSP", "x"), true},
		{"admits the regulator's auditor to a read", "AuditTrail", caller(access.RegulatorMSP, access.RoleAuditor), true},
		{"admits the regulator to a wildcard read", "GetTender", caller(access.RegulatorMSP, ""), true},
		{"denies the regulator a write it is explicitly granted", "Override", caller(access.RegulatorMSP, access.RoleAuditor), false},
		{"denies the regulator a write granted to everyone", "AnyWriter", caller(access.RegulatorMSP, access.RoleAuditor), false},
		{"admits others to a write granted to everyone", "AnyWriter", caller("AgencyMSP", ""), true},
		{"denies a function absent from the table", "DeleteEverything", caller("AgencyMSP", "procurement-officer"), false},
		{"denies a function with no grants", "Nobody", caller("AgencyMSP", "procurement-officer"), false},
		{"denies a function name in another case", "createTender", caller("AgencyMSP", "procurement-officer"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := policy.Authorize(tc.function, tc.caller)
			if tc.allowed {
				require.NoError(t, err)
				return
			}
			var de *access.DeniedError
			require.ErrorAs(t, err, &de)
			require.Equal(t, tc.function, de.Function)
			require.Equal(t, tc.caller.MSPID, de.MSPID)
			require.Equal(t, tc.caller.Role(), de.Role)
			require.ErrorIs(t, err, access.ErrDenied)
			require.ErrorIs(t, err, ccerror.ErrPermissionDenied)
		})
	}
	t.Run("tells the regulator why a write is refused", func(t *testing.T) {
		err := policy.Authorize("Override", caller(access.RegulatorMSP, access.RoleAuditor))
		require.EqualError(t, err, `caller (MSP "RegulatorMSP", role "auditor") may not call Override: the regulator has read-only access`)
	})
	t.Run("reaches the client as PERMISSION_DENIED", func(t *testing.T) {
		var ce *ccerror.Error
		require.ErrorAs(t, ccerror.From(policy.Authorize("CreateTender", caller("X", "y"))), &ce)
		require.Equal(t, ccerror.PermissionDenied, ce.Code)
		require.Equal(t, "access-policy", ce.Rule)
	})
}

func TestValidate(t *testing.T) {
	t.Run("accepts a well-formed table", func(t *testing.T) {
		require.NoError(t, access.Policy{
			"A": {Write: true, Roles: []access.Grant{{MSPID: "AgencyMSP", Role: "x"}}},
			"B": {Roles: []access.Grant{{MSPID: access.RegulatorMSP, Role: access.RoleAuditor}}},
		}.Validate())
	})
	t.Run("reports every problem in function order", func(t *testing.T) {
		err := policy.Validate()
		require.ErrorIs(t, err, access.ErrPolicy)
		require.EqualError(t, err, "access policy: Nobody: no grants, nobody can call it\n"+
			"access policy: Override: write rule grants RegulatorMSP")
		err = access.Policy{"A": {Roles: []access.Grant{{MSPID: "", Role: "x"}}}}.Validate()
		require.ErrorContains(t, err, "MSP ID and role are required")
	})
}

func TestNewCaller(t *testing.T) {
	l := memstub.NewLedger(memstub.Config{})
	t.Run("reads MSP, ID, subject and attributes from the certificate", func(t *testing.T) {
		id := memstub.NewIdentity("SupplierMSP", "bob", map[string]string{"role": "bidder", "supplierId": "S-9", "agency": "none"})
		c, err := access.NewCaller(l.Begin(memstub.TxOptions{Creator: id}))
		require.NoError(t, err)
		require.Equal(t, "SupplierMSP", c.MSPID)
		require.Equal(t, "bob", c.Subject)
		require.NotEmpty(t, c.ID)
		require.Equal(t, "bidder", c.Role())
		require.Equal(t, "S-9", c.SupplierID())
		require.Equal(t, "none", c.Agency())
	})
	t.Run("gives an identity without attributes an empty map", func(t *testing.T) {
		c, err := access.NewCaller(l.Begin(memstub.TxOptions{Creator: memstub.NewIdentity("AgencyMSP", "x", nil)}))
		require.NoError(t, err)
		require.NotNil(t, c.Attrs)
		require.Empty(t, c.Role())
	})
	t.Run("denies a transaction without a readable creator", func(t *testing.T) {
		_, err := access.NewCaller(l.Begin(memstub.TxOptions{}))
		require.ErrorIs(t, err, access.ErrNoIdentity)
		require.ErrorIs(t, err, ccerror.ErrPermissionDenied)
	})
}

func TestReadsListsTheFunctionsThatAreNotWrites(t *testing.T) {
	p := access.Policy{
		"Create": {Write: true, Roles: []access.Grant{{MSPID: "A", Role: "x"}}},
		"List":   {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
		"Get":    {Roles: []access.Grant{{MSPID: access.AnyMSP, Role: access.AnyRole}}},
	}
	require.Equal(t, []string{"Get", "List"}, p.Reads())
	require.Empty(t, access.Policy{}.Reads())
}
