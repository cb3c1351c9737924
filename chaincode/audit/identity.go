package audit

import (
	"unicode"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

// Identity names a certificate identity: the member's MSP and the identity's
// unique ID within it (as the client identity library reports it). Both parts
// matter: the same subject may exist in two MSPs.
type Identity struct {
	MSPID string `json:"mspId"`
	ID    string `json:"id"`
}

// Validate checks both parts.
func (i Identity) Validate() error {
	if err := checkMSPID("mspId", i.MSPID); err != nil {
		return err
	}
	if err := validate.Required("id", i.ID); err != nil {
		return err
	}
	if err := validate.MaxLen("id", i.ID, MaxIdentityLen); err != nil {
		return err
	}
	for _, r := range i.ID {
		if !unicode.IsPrint(r) {
			return fieldErr("id", RulePrintable, "must contain only printable characters")
		}
	}
	return nil
}

// Agency is an audited body: the MSP its users enrol in and the agency code
// that distinguishes agencies sharing an MSP (e.g. ministries under one
// purchasing organisation).
type Agency struct {
	MSPID string `json:"mspId"`
	Code  string `json:"code"`
}

// Validate checks both parts.
func (a Agency) Validate() error {
	if err := checkMSPID("mspId", a.MSPID); err != nil {
		return err
	}
	if err := validate.Required("code", a.Code); err != nil {
		return err
	}
	return validate.Pattern("code", a.Code, agencyPattern, "1-32 upper-case letters, digits, '_' or '-', starting with a letter")
}

func checkMSPID(field, v string) error {
	if err := validate.Required(field, v); err != nil {
		return err
	}
	return validate.Pattern(field, v, mspIDPattern, "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
}
