package memstub

import (
	"encoding/json"
	"fmt"
	"maps"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// Network runs a chaincode against a Ledger the way a client and a peer
// would: Submit endorses and commits, Evaluate only endorses.
type Network struct {
	Ledger *Ledger

	cc        shim.Chaincode
	transient map[string][]byte
	at        time.Time
}

// New returns a Network for cc (typically a *contractapi.ContractChaincode)
// on a fresh ledger with the default Config.
func New(cc shim.Chaincode) *Network {
	return Connect(NewLedger(Config{}), cc)
}

// Connect returns a Network for cc on an existing ledger, e.g. one with
// collections defined, or shared by several chaincodes' tests.
func Connect(l *Ledger, cc shim.Chaincode) *Network {
	return &Network{Ledger: l, cc: cc}
}

// WithTransient returns a Network whose calls carry transient data m; the
// receiver is unchanged.
func (n *Network) WithTransient(m map[string][]byte) *Network {
	c := *n
	c.transient = maps.Clone(m)
	return &c
}

// WithTime returns a Network whose calls are timestamped t instead of the
// ledger clock; the receiver is unchanged.
func (n *Network) WithTime(t time.Time) *Network {
	c := *n
	c.at = t
	return &c
}

// Result is a successful transaction.
type Result struct {
	TxID    string
	Payload []byte
	Event   *peer.ChaincodeEvent // nil when the transaction set none
}

// JSON decodes the payload into v.
func (r *Result) JSON(v any) error {
	return json.Unmarshal(r.Payload, v)
}

// TxError is a chaincode error response. Its text mimics what a Fabric
// client sees ("chaincode response 500, <message>"), and it unwraps to the
// *ccerror.Error inside the message when there is one, so tests can write
// errors.Is(err, ccerror.ErrNotFound) or errors.As(err, &ccErr).
type TxError struct {
	TxID    string
	Status  int32
	Message string
}

// Error renders as Fabric reports a failed endorsement.
func (e *TxError) Error() string {
	return fmt.Sprintf("chaincode response %d, %s", e.Status, e.Message)
}

// Unwrap returns the parsed chaincode error, or nil.
func (e *TxError) Unwrap() error {
	if ce, ok := ccerror.Parse(e.Message); ok {
		return ce
	}
	return nil
}

// Submit invokes function ("Contract:Function", or "Function" for the
// default contract) with args as id, and commits the transaction if the
// chaincode succeeded. A chaincode error is a *TxError and nothing is
// committed; a commit failure (ErrMVCCConflict) is returned as is.
func (n *Network) Submit(id Identity, function string, args ...string) (*Result, error) {
	stub, res, err := n.invoke(id, function, args)
	if err != nil {
		return nil, err
	}
	if err := stub.Commit(); err != nil {
		return nil, err
	}
	return res, nil
}

// Evaluate invokes function like Submit but never commits, as a query
// evaluated on one peer.
func (n *Network) Evaluate(id Identity, function string, args ...string) (*Result, error) {
	_, res, err := n.invoke(id, function, args)
	return res, err
}

func (n *Network) invoke(id Identity, function string, args []string) (*Stub, *Result, error) {
	stub := n.Ledger.Begin(TxOptions{
		Creator: id, Function: function, Args: args, Transient: n.transient, Time: n.at,
	})
	resp := n.cc.Invoke(stub)
	if resp.GetStatus() >= shim.ERRORTHRESHOLD {
		return nil, nil, &TxError{TxID: stub.GetTxID(), Status: resp.GetStatus(), Message: resp.GetMessage()}
	}
	return stub, &Result{TxID: stub.GetTxID(), Payload: resp.GetPayload(), Event: stub.Event()}, nil
}
