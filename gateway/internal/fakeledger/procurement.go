package fakeledger

import (
	"crypto/sha256"
	"crypto/x509"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strconv"

	"github.com/govledger/govledger/chaincode/ccerror"
)

// ProcurementMetadata is realistic contractapi metadata for a procurement
// chaincode shipping its own metadata.json: named parameters, a component
// schema, evaluate tags, and the private-input and collection tags of the
// gateway's convention.
//
//go:embed procurement.json
var ProcurementMetadata []byte

// Procurement is a small tendering chaincode behind ProcurementMetadata. Its
// errors are ccerror JSON, like GovLedger's real chaincodes:
//
//   - CreateTender fails ALREADY_EXISTS for a known id and emits TenderCreated;
//   - GetTender fails NOT_FOUND for an unknown id;
//   - SubmitBid needs private input "bid" and stores only its hash;
//   - Award is PERMISSION_DENIED unless the creator's common name is
//     "buyer1", FAILED_PRECONDITION once awarded, and emits TenderAwarded;
//   - audit.RecordFinding increments a counter (a read-modify-write, so
//     concurrent findings conflict like on Fabric).
func Procurement() Chaincode {
	return Chaincode{
		Metadata: ProcurementMetadata,
		Transactions: map[string]Func{
			"tender:CreateTender": createTender,
			"tender:GetTender":    getTender,
			"tender:ListTenders":  listTenders,
			"tender:SubmitBid":    submitBid,
			"tender:Award":        award,
			"audit:RecordFinding": recordFinding,
		},
	}
}

type tender struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Budget   int64    `json:"budget"`
	Deadline string   `json:"deadline"`
	Tags     []string `json:"tags,omitempty"`
	Winner   string   `json:"winner,omitempty"`
}

func arg(stub *Stub, i int) (string, error) {
	if len(stub.Args()) <= i {
		return "", ccerror.New(ccerror.InvalidArgument, fmt.Sprintf("argument %d missing", i))
	}
	return string(stub.Args()[i]), nil
}

func createTender(stub *Stub) ([]byte, error) {
	raw, err := arg(stub, 0)
	if err != nil {
		return nil, err
	}
	var t tender
	if err := json.Unmarshal([]byte(raw), &t); err != nil || t.ID == "" {
		return nil, &ccerror.Error{Code: ccerror.InvalidArgument, Field: "tender", Message: "tender must be a JSON object with an id"}
	}
	if stub.Get("tender/"+t.ID) != nil {
		return nil, ccerror.New(ccerror.AlreadyExists, fmt.Sprintf("tender %q already exists", t.ID))
	}
	stored, _ := json.Marshal(t)
	stub.Put("tender/"+t.ID, stored)
	index := stub.Get("index")
	var ids []string
	_ = json.Unmarshal(index, &ids)
	ids = append(ids, t.ID)
	index, _ = json.Marshal(ids)
	stub.Put("index", index)
	stub.SetEvent("TenderCreated", fmt.Appendf(nil, `{"id":%q}`, t.ID))
	return nil, nil
}

func getTender(stub *Stub) ([]byte, error) {
	id, err := arg(stub, 0)
	if err != nil {
		return nil, err
	}
	v := stub.Get("tender/" + id)
	if v == nil {
		return nil, ccerror.New(ccerror.NotFound, fmt.Sprintf("tender %q not found", id))
	}
	return v, nil
}

func listTenders(stub *Stub) ([]byte, error) {
	size, err := arg(stub, 0)
	if err != nil {
		return nil, err
	}
	n, err := strconv.Atoi(size)
	if err != nil {
		return nil, &ccerror.Error{Code: ccerror.InvalidArgument, Field: "pageSize", Message: "not an integer"}
	}
	var ids []string
	_ = json.Unmarshal(stub.Get("index"), &ids)
	out := []json.RawMessage{}
	for i, id := range ids {
		if i == n {
			break
		}
		out = append(out, stub.Get("tender/"+id))
	}
	return json.Marshal(out)
}

func submitBid(stub *Stub) ([]byte, error) {
	id, err := arg(stub, 0)
	if err != nil {
		return nil, err
	}
	bid, ok := stub.Transient()["bid"]
	if !ok {
		return nil, &ccerror.Error{Code: ccerror.InvalidArgument, Field: "bid", Message: "private input bid is required"}
	}
	if stub.Get("tender/"+id) == nil {
		return nil, ccerror.New(ccerror.NotFound, fmt.Sprintf("tender %q not found", id))
	}
	sum := sha256.Sum256(bid)
	bidID := "BID-" + stub.TxID[:8]
	stub.Put("bid/"+id+"/"+bidID, []byte(hex.EncodeToString(sum[:])))
	return []byte(bidID), nil
}

func award(stub *Stub) ([]byte, error) {
	if commonName(stub.Creator().Certificate) != "buyer1" {
		return nil, ccerror.New(ccerror.PermissionDenied, "only a buyer may award a tender")
	}
	id, err := arg(stub, 0)
	if err != nil {
		return nil, err
	}
	winner, err := arg(stub, 1)
	if err != nil {
		return nil, err
	}
	raw := stub.Get("tender/" + id)
	if raw == nil {
		return nil, ccerror.New(ccerror.NotFound, fmt.Sprintf("tender %q not found", id))
	}
	var t tender
	_ = json.Unmarshal(raw, &t)
	if t.Winner != "" {
		return nil, ccerror.Precondition("awarded", fmt.Sprintf("tender %q is already awarded", id))
	}
	t.Winner = winner
	raw, _ = json.Marshal(t)
	stub.Put("tender/"+id, raw)
	stub.SetEvent("TenderAwarded", fmt.Appendf(nil, `{"id":%q,"winner":%q}`, id, winner))
	return nil, nil
}

func recordFinding(stub *Stub) ([]byte, error) {
	n, _ := strconv.Atoi(string(stub.Get("findings")))
	n++
	stub.Put("findings", []byte(strconv.Itoa(n)))
	return []byte(strconv.Itoa(n)), nil
}

func commonName(certPEM []byte) string {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return ""
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return ""
	}
	return cert.Subject.CommonName
}
