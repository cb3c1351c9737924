package contract_test

import (
	"testing"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/audit"
	"github.com/govledger/govledger/chaincode/audit/contract"
	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
)

func TestOpenRequestFromRedFlag(t *testing.T) {
	t.Run("a red flag opens a request on the engagement's agency", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		var r audit.Request
		res := f.submit(auditor1, "OpenRequestFromRedFlag", &r, engID, `{"entity":"tender","id":"T-1","kind":"singleBid"}`)
		flag := audit.RedFlag{Entity: "tender", ID: "T-1", Kind: "singleBid"}
		require.Equal(t, audit.RedFlagRequestID(flag), r.ID)
		require.Equal(t, audit.RequestOpen, r.Status)
		require.Equal(t, audit.Agency{MSPID: "ProcurementMSP", Code: "MOF"}, r.Agency)
		require.Equal(t, &flag, r.Origin)
		require.Equal(t, f.now().Add(15*day), r.DueAt)

		ev := parseEvent(t, res)
		require.Equal(t, "request.issued", ev.Name())
		require.Equal(t, "singleBid", ev.Rule)
		require.Equal(t, engID+"/"+r.ID, ev.ID)

		var e audit.Engagement
		f.evaluate(manager, "GetEngagement", &e, engID)
		require.Equal(t, 1, e.OpenRequests)
		var got audit.Request
		f.evaluate(buyer, "GetRequest", &got, engID, r.ID)
		require.Equal(t, r, got)
	})
	t.Run("the same flag cannot open a second request", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		flag := `{"entity":"tender","id":"T-2","kind":"awardNotTopRanked"}`
		f.submit(auditor1, "OpenRequestFromRedFlag", nil, engID, flag)
		require.Equal(t, ccerror.AlreadyExists, f.fail(auditor2, "OpenRequestFromRedFlag", engID, flag).Code)
	})
	tests := []struct {
		name string
		flag string
		code ccerror.Code
		rule string
		says string
	}{
		{"rejects a tender procurement does not know", `{"entity":"tender","id":"T-404","kind":"singleBid"}`, ccerror.NotFound, "", "T-404"},
		{"rejects a flag the tender does not carry", `{"entity":"tender","id":"T-3","kind":"singleBid"}`, ccerror.FailedPrecondition, "", "no singleBid red flag"},
		{"rejects a tender bought by another agency", `{"entity":"tender","id":"T-4","kind":"singleBid"}`, ccerror.FailedPrecondition, "", "bought by MOH"},
		{"rejects an unknown kind", `{"entity":"tender","id":"T-1","kind":"bribery"}`, ccerror.InvalidArgument, "", ""},
		{"rejects a flag on another entity", `{"entity":"supplier","id":"T-1","kind":"singleBid"}`, ccerror.InvalidArgument, "oneOf", ""},
		{"rejects unknown fields", `{"entity":"tender","id":"T-1","kind":"singleBid","agency":"MOF"}`, ccerror.InvalidArgument, "json", ""},
		{"rejects malformed JSON", `{"entity":`, ccerror.InvalidArgument, "json", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.openEngagement()
			ce := f.fail(auditor1, "OpenRequestFromRedFlag", engID, tc.flag)
			require.Equal(t, tc.code, ce.Code, ce.Message)
			require.Contains(t, ce.Message, tc.says)
			if tc.rule != "" {
				require.Equal(t, tc.rule, ce.Rule)
			}
		})
	}
	t.Run("refuses a red flag on an engagement that no longer takes requests", func(t *testing.T) {
		f := newFixture(t)
		f.openEngagement()
		f.submit(manager, "WithdrawEngagement", nil, engID, "Merged.")
		ce := f.fail(auditor1, "OpenRequestFromRedFlag", engID, `{"entity":"tender","id":"T-1","kind":"singleBid"}`)
		require.Equal(t, ccerror.FailedPrecondition, ce.Code)
		require.Equal(t, "engagement-status", ce.Rule)
	})
	t.Run("reports a procurement chaincode that is not there", func(t *testing.T) {
		cc, err := contract.NewChaincode(contract.Config{ProcurementChaincode: "tenders", GetTenderFunction: "tenders:GetTender"})
		require.NoError(t, err)
		f := &fixture{t: t, net: memstub.New(cc)}
		f.openEngagement()
		ce := f.fail(auditor1, "OpenRequestFromRedFlag", engID, `{"entity":"tender","id":"T-1","kind":"singleBid"}`)
		require.Equal(t, ccerror.Internal, ce.Code)
	})
	t.Run("keeps procurement's own refusal", func(t *testing.T) {
		cc, err := contract.NewChaincode(contract.Config{ProcurementChaincode: "procurement", GetTenderFunction: "procurement:Secret"})
		require.NoError(t, err)
		f := &fixture{t: t, net: memstub.New(cc)}
		f.net.Ledger.RegisterChaincode("procurement", procurementCC)
		f.openEngagement()
		ce := f.fail(auditor1, "OpenRequestFromRedFlag", engID, `{"entity":"tender","id":"T-1","kind":"singleBid"}`)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})
	t.Run("rejects a tender reply that is not the tender", func(t *testing.T) {
		f := newFixture(t)
		f.net.Ledger.RegisterChaincode("procurement", func([][]byte) *peer.Response { return shim.Success([]byte(`{"id":"T-9"}`)) })
		f.openEngagement()
		ce := f.fail(auditor1, "OpenRequestFromRedFlag", engID, `{"entity":"tender","id":"T-1","kind":"singleBid"}`)
		require.Equal(t, ccerror.Internal, ce.Code)
	})
	t.Run("refuses a chaincode without its procurement settings", func(t *testing.T) {
		_, err := contract.NewChaincode(contract.Config{})
		require.Error(t, err)
	})
}
