package memstub_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/govledger/govledger/chaincode/internal/memstub"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/stretchr/testify/require"
)

// counter is a bare shim chaincode: "inc" writes, "fail" writes then fails,
// "echo" reports what the stub saw.
type counter struct{}

func (counter) Init(shim.ChaincodeStubInterface) *peer.Response { return shim.Success(nil) }

func (counter) Invoke(stub shim.ChaincodeStubInterface) *peer.Response {
	fn, args := stub.GetFunctionAndParameters()
	switch fn {
	case "inc":
		v, _ := stub.GetState("n")
		if err := stub.PutState("n", append(v, 'x')); err != nil {
			return shim.Error(err.Error())
		}
		if err := stub.SetEvent("counter.incremented", v); err != nil {
			return shim.Error(err.Error())
		}
		return shim.Success(append(v, 'x'))
	case "fail":
		_ = stub.PutState("n", []byte("should not land"))
		return shim.Error(ccerror.Precondition("closed", "counter is closed").Error())
	case "echo":
		tm, _ := stub.GetTransient()
		ts, _ := stub.GetTxTimestamp()
		b, _ := json.Marshal(map[string]any{"args": args, "transient": string(tm["t"]), "time": ts.AsTime()})
		return shim.Success(b)
	}
	return shim.Error("unknown function " + fn)
}

func TestNetwork(t *testing.T) {
	t.Run("Submit commits a successful transaction and returns its event", func(t *testing.T) {
		net := memstub.New(counter{})
		res, err := net.Submit(agency, "inc")
		require.NoError(t, err)
		require.Equal(t, []byte("x"), res.Payload)
		require.Equal(t, "counter.incremented", res.Event.GetEventName())
		require.Len(t, res.TxID, 64)
		res, err = net.Submit(agency, "inc")
		require.NoError(t, err)
		require.Equal(t, []byte("xx"), res.Payload)
		require.Equal(t, []byte("xx"), net.Ledger.State("n"))
		require.EqualValues(t, 2, net.Ledger.Height())
	})
	t.Run("Evaluate never commits", func(t *testing.T) {
		net := memstub.New(counter{})
		res, err := net.Evaluate(agency, "inc")
		require.NoError(t, err)
		require.Equal(t, []byte("x"), res.Payload)
		require.Nil(t, net.Ledger.State("n"))
		require.Zero(t, net.Ledger.Height())
	})
	t.Run("a failed transaction is not committed and its error parses", func(t *testing.T) {
		net := memstub.New(counter{})
		_, err := net.Submit(agency, "fail")
		var txErr *memstub.TxError
		require.ErrorAs(t, err, &txErr)
		require.EqualValues(t, 500, txErr.Status)
		require.ErrorIs(t, err, ccerror.ErrPrecondition)
		var ce *ccerror.Error
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "closed", ce.Rule)
		require.Nil(t, net.Ledger.State("n"))
		require.Zero(t, net.Ledger.Height())
	})
	t.Run("passes arguments, transient data and time per call", func(t *testing.T) {
		net := memstub.New(counter{})
		at := time.Date(2027, 3, 4, 5, 6, 7, 0, time.UTC)
		res, err := net.WithTransient(map[string][]byte{"t": []byte("secret")}).WithTime(at).Evaluate(agency, "echo", "a", "b")
		require.NoError(t, err)
		var got struct {
			Args      []string  `json:"args"`
			Transient string    `json:"transient"`
			Time      time.Time `json:"time"`
		}
		require.NoError(t, res.JSON(&got))
		require.Equal(t, []string{"a", "b"}, got.Args)
		require.Equal(t, "secret", got.Transient)
		require.Equal(t, at, got.Time)

		res, err = net.Evaluate(agency, "echo")
		require.NoError(t, err)
		require.NoError(t, res.JSON(&got))
		require.Empty(t, got.Transient, "WithTransient must not change the original network")
		require.Equal(t, net.Ledger.Now(), got.Time)
	})
	t.Run("networks on one ledger share state", func(t *testing.T) {
		l := memstub.NewLedger(memstub.Config{})
		_, err := memstub.Connect(l, counter{}).Submit(agency, "inc")
		require.NoError(t, err)
		res, err := memstub.Connect(l, counter{}).Evaluate(agency, "inc")
		require.NoError(t, err)
		require.Equal(t, []byte("xx"), res.Payload)
	})
}
