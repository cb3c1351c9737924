package ccerror_test

import (
	"errors"
	"fmt"
	"strconv"
	"testing"

	"github.com/govledger/govledger/chaincode/ccerror"
	"github.com/stretchr/testify/require"
)

// fieldErr stands in for validate.FieldError without importing it.
type fieldErr struct{ field, rule string }

func (e *fieldErr) Error() string      { return "bad " + e.field }
func (e *fieldErr) Unwrap() error      { return ccerror.ErrInvalidArgument }
func (e *fieldErr) ErrorField() string { return e.field }
func (e *fieldErr) ErrorRule() string  { return e.rule }

type ruleErr struct{}

func (ruleErr) Error() string     { return "tender is closed" }
func (ruleErr) Unwrap() error     { return ccerror.ErrPrecondition }
func (ruleErr) ErrorRule() string { return "bidding-closed" }

func TestFrom(t *testing.T) {
	given := &ccerror.Error{Code: ccerror.NotFound, Message: "given"}
	tests := []struct {
		name string
		err  error
		want *ccerror.Error
	}{
		{"classifies a wrapped invalid-argument error with its field and rule",
			fmt.Errorf("decode: %w", &fieldErr{"budget.amount", "positive"}),
			&ccerror.Error{Code: ccerror.InvalidArgument, Field: "budget.amount", Rule: "positive", Message: "decode: bad budget.amount"}},
		{"classifies not found", fmt.Errorf("tender T-1: %w", ccerror.ErrNotFound),
			&ccerror.Error{Code: ccerror.NotFound, Message: "tender T-1: not found"}},
		{"classifies already exists", fmt.Errorf("x: %w", ccerror.ErrAlreadyExists),
			&ccerror.Error{Code: ccerror.AlreadyExists, Message: "x: already exists"}},
		{"classifies permission denied", fmt.Errorf("x: %w", ccerror.ErrPermissionDenied),
			&ccerror.Error{Code: ccerror.PermissionDenied, Message: "x: permission denied"}},
		{"classifies a failed precondition with the rule its error reports", ruleErr{},
			&ccerror.Error{Code: ccerror.FailedPrecondition, Rule: "bidding-closed", Message: "tender is closed"}},
		{"classifies anything else as internal", errors.New("disk on fire"),
			&ccerror.Error{Code: ccerror.Internal, Message: "disk on fire"}},
		{"passes an *Error through", given, given},
		{"finds an *Error wrapped in context", fmt.Errorf("ctx: %w", given), given},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ccerror.From(tc.err)
			require.Equal(t, tc.want, got)
		})
	}
	t.Run("keeps nil nil", func(t *testing.T) {
		require.NoError(t, ccerror.From(nil))
	})
	t.Run("prefers invalid argument when an error wraps several sentinels", func(t *testing.T) {
		err := fmt.Errorf("%w and %w", ccerror.ErrNotFound, ccerror.ErrInvalidArgument)
		var ce *ccerror.Error
		require.ErrorAs(t, ccerror.From(err), &ce)
		require.Equal(t, ccerror.InvalidArgument, ce.Code)
	})
}

func TestError(t *testing.T) {
	t.Run("renders compact JSON with empty field and rule left out", func(t *testing.T) {
		require.Equal(t, `{"code":"NOT_FOUND","message":"tender \"T<1>\": not found"}`,
			ccerror.New(ccerror.NotFound, `tender "T<1>": not found`).Error())
		require.Equal(t, `{"code":"FAILED_PRECONDITION","rule":"deadline","message":"closed"}`,
			ccerror.Precondition("deadline", "closed").Error())
		require.Equal(t, `{"code":"INVALID_ARGUMENT","field":"a.b","rule":"positive","message":"m"}`,
			(&ccerror.Error{Code: ccerror.InvalidArgument, Field: "a.b", Rule: "positive", Message: "m"}).Error())
	})
	t.Run("matches the sentinel of its code with errors.Is", func(t *testing.T) {
		require.ErrorIs(t, ccerror.New(ccerror.AlreadyExists, ""), ccerror.ErrAlreadyExists)
		require.NotErrorIs(t, ccerror.New(ccerror.AlreadyExists, ""), ccerror.ErrNotFound)
		require.NotErrorIs(t, ccerror.New(ccerror.Internal, ""), ccerror.ErrNotFound)
	})
}

func TestCode(t *testing.T) {
	tests := []struct {
		code  ccerror.Code
		valid bool
	}{
		{ccerror.InvalidArgument, true},
		{ccerror.NotFound, true},
		{ccerror.AlreadyExists, true},
		{ccerror.PermissionDenied, true},
		{ccerror.FailedPrecondition, true},
		{ccerror.Internal, true},
		{"BOGUS", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run("knows "+strconv.Quote(string(tc.code)), func(t *testing.T) {
			require.Equal(t, tc.valid, tc.code.Valid())
		})
	}
}

func TestParse(t *testing.T) {
	e := &ccerror.Error{Code: ccerror.InvalidArgument, Field: "title", Rule: "maxLength", Message: `field "title": too "long"`}
	wire := e.Error()
	tests := []struct {
		name string
		msg  string
		want *ccerror.Error
	}{
		{"parses the bare wire form", wire, e},
		{"finds it after Fabric's prefix", "chaincode response 500, " + wire, e},
		{"finds it inside a gRPC status text", "rpc error: code = Aborted desc = failed to endorse: " + wire + " (details attached)", e},
		{"finds it when quoted once, as inside a JSON string", `{"message":` + strconv.Quote(wire) + `}`, e},
		{"skips a candidate with an unknown code", `{"code":"NOPE","message":"x"} then ` + wire, e},
		{"skips a malformed candidate", `{"code":tru ` + wire, e},
		{"rejects text without an error", "endorsement failure during invoke", nil},
		{"rejects an unknown code alone", `{"code":"NOPE","message":"x"}`, nil},
		{"rejects a quoted unknown code", strconv.Quote(`{"code":"NOPE","message":"x"}`), nil},
		{"rejects the empty string", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := ccerror.Parse(tc.msg)
			require.Equal(t, tc.want != nil, ok)
			require.Equal(t, tc.want, got)
		})
	}
	t.Run("keeps escapes it does not undo", func(t *testing.T) {
		in := ccerror.New(ccerror.Internal, "tab\there é \u2028")
		got, ok := ccerror.Parse(strconv.Quote(in.Error()))
		require.True(t, ok)
		require.Equal(t, in, got)
	})
}

func FuzzParse(f *testing.F) {
	f.Add("chaincode response 500, " + ccerror.New(ccerror.NotFound, "x").Error())
	f.Add(strconv.Quote(ccerror.Precondition("r", `q"uote\`).Error()))
	f.Add(`{"code":"INTERNAL","message":"\u00e9"}`)
	f.Add(`{\"code\":\"NOT_FOUND\",\"message\":\"a\\\"b\"}`)
	f.Add(`{"code":`)
	f.Fuzz(func(t *testing.T, msg string) {
		e, ok := ccerror.Parse(msg)
		if !ok {
			require.Nil(t, e)
			return
		}
		require.True(t, e.Code.Valid())
		// A parsed error survives another trip through the wire format.
		again, ok := ccerror.Parse("prefix " + e.Error())
		require.True(t, ok)
		require.Equal(t, e, again)
	})
}
