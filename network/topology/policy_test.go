package topology_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/network/topology"
)

func leaf(msp, role string) topology.Policy {
	return topology.Policy{Principal: &topology.Principal{MSPID: msp, Role: role}}
}

func TestParsePolicyAccepts(t *testing.T) {
	cases := []struct {
		name string
		expr string
		want topology.Policy
	}{
		{"a single OR", "OR('A.member')", topology.Policy{N: 1, Rules: []topology.Policy{leaf("A", "member")}}},
		{"AND over two peers", "AND('A.peer', 'B.peer')", topology.Policy{N: 2, Rules: []topology.Policy{leaf("A", "peer"), leaf("B", "peer")}}},
		{"OutOf with spaces and newlines", "OutOf( 2 ,\n 'A.peer', 'B.admin' , \"C.client\" )", topology.Policy{N: 2, Rules: []topology.Policy{leaf("A", "peer"), leaf("B", "admin"), leaf("C", "client")}}},
		{"lower-case gates", "and('A.peer', or('B.orderer', 'C.peer'))", topology.Policy{N: 2, Rules: []topology.Policy{
			leaf("A", "peer"), {N: 1, Rules: []topology.Policy{leaf("B", "orderer"), leaf("C", "peer")}},
		}}},
		{"upper-case OUTOF", "OUTOF(1, 'A.peer')", topology.Policy{N: 1, Rules: []topology.Policy{leaf("A", "peer")}}},
		{"MSP IDs with dots and dashes", "OR('org-1.example.peer')", topology.Policy{N: 1, Rules: []topology.Policy{leaf("org-1.example", "peer")}}},
	}
	for _, c := range cases {
		t.Run("accepts "+c.name, func(t *testing.T) {
			got, err := topology.ParsePolicy(c.expr)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func TestParsePolicyRejects(t *testing.T) {
	cases := []struct {
		name   string
		expr   string
		offset int
		reason string
	}{
		{"an empty expression", "  ", 0, "empty expression"},
		{"a bare principal without quotes", "OR(A.peer)", 3, "expected AND, OR, OutOf"},
		{"an unknown gate", "XOR('A.peer')", 0, "expected AND, OR, OutOf"},
		{"a mixed-case gate Fabric does not know", "oR('A.peer')", 0, "expected AND, OR, OutOf"},
		{"an unknown role", "OR('A.auditor')", 3, "role member, admin, client, peer or orderer"},
		{"a principal without a role", "OR('A')", 3, "is not 'MSPID.role'"},
		{"an MSP ID with a space", "OR('A B.peer')", 3, "is not 'MSPID.role'"},
		{"an unterminated principal", "OR('A.peer)", 3, "unterminated principal"},
		{"a missing parenthesis", "OR 'A.peer'", 3, "expected '(' after OR"},
		{"an unclosed gate", "AND('A.peer', 'B.peer'", 22, "expected ','"},
		{"an empty gate", "AND()", 4, "expected AND, OR, OutOf or a quoted principal"},
		{"a trailing comma", "OR('A.peer',)", 12, "expected AND, OR, OutOf or a quoted principal"},
		{"a missing comma", "OR('A.peer' 'B.peer')", 12, "expected ','"},
		{"text after the expression", "OR('A.peer') junk", 13, "unexpected"},
		{"OutOf without a count", "OutOf('A.peer')", 6, "expected the number of rules"},
		{"OutOf with a negative count", "OutOf(-1, 'A.peer')", 6, "expected the number of rules"},
		{"OutOf(0, ...), satisfied by no signature", "OutOf(0, 'A.peer')", 0, "N must be 1..1"},
		{"OutOf needing more rules than it has", "OutOf(3, 'A.peer', 'B.peer')", 0, "N must be 1..2"},
		{"OutOf with an enormous count", "OutOf(99999999999999999999, 'A.peer')", 6, "out of range"},
		{"OutOf without a comma after the count", "OutOf(1 'A.peer')", 8, "expected ','"},
		{"a gate cut short", "AND", 3, "expected '(' after AND"},
		{"a bare principal, which Fabric does not take as a policy", " 'A.peer'", 1, "must start with AND, OR or OutOf"},
		{"nesting deeper than the limit", strings.Repeat("OR(", topology.MaxPolicyDepth+2) + "'A.peer'" + strings.Repeat(")", topology.MaxPolicyDepth+2), 3 * (topology.MaxPolicyDepth + 1), "nested deeper"},
		{"an expression longer than the limit", "OR('A.peer'" + strings.Repeat(" ", topology.MaxPolicyLength) + ")", topology.MaxPolicyLength, "longer than"},
	}
	for _, c := range cases {
		t.Run("rejects "+c.name, func(t *testing.T) {
			_, err := topology.ParsePolicy(c.expr)
			require.ErrorIs(t, err, topology.ErrPolicySyntax)
			var se *topology.PolicySyntaxError
			require.ErrorAs(t, err, &se)
			require.Contains(t, se.Reason, c.reason)
			require.Equal(t, c.offset, se.Offset, "offset")
		})
	}
}

func TestPolicyString(t *testing.T) {
	cases := []struct {
		name string
		expr string
		want string
	}{
		{"renders OR for one of many", "OutOf(1,'A.peer','B.peer')", "OR('A.peer','B.peer')"},
		{"renders AND for all of many", "OutOf(2,'A.peer','B.peer')", "AND('A.peer','B.peer')"},
		{"keeps OutOf for a true threshold", "outof(2, 'A.peer', 'B.peer', 'C.peer')", "OutOf(2,'A.peer','B.peer','C.peer')"},
		{"renders nested gates", "and('A.peer', or('B.peer', 'C.peer'))", "AND('A.peer',OR('B.peer','C.peer'))"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := topology.ParsePolicy(c.expr)
			require.NoError(t, err)
			require.Equal(t, c.want, p.String())
		})
	}
}

func TestPolicyMSPIDsAreDistinctAndSorted(t *testing.T) {
	p, err := topology.ParsePolicy("AND(OR('B.peer','A.admin'),'B.member')")
	require.NoError(t, err)
	require.Equal(t, []string{"A", "B"}, p.MSPIDs())
	require.Equal(t, []topology.Principal{{MSPID: "B", Role: "peer"}, {MSPID: "A", Role: "admin"}, {MSPID: "B", Role: "member"}}, p.Principals())
}

func TestAnyOf(t *testing.T) {
	require.Equal(t, "OR('A.member','B.member')", topology.AnyOf(topology.RoleMember, "A", "B").String())
}

// FuzzParsePolicy checks that no input panics the parser and that whatever
// parses renders to an expression that parses back to the same policy.
func FuzzParsePolicy(f *testing.F) {
	for _, seed := range []string{
		"OR('A.member')",
		"AND('A.peer', 'B.peer')",
		"OutOf(2, 'A.peer', 'B.peer', OR('C.admin', \"D.client\"))",
		"outof(0, 'A.peer')",
		"OR('A.peer'",
		"AND(",
		"'A.orderer'",
		strings.Repeat("OR(", 20),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		p, err := topology.ParsePolicy(expr)
		if err != nil {
			return
		}
		again, err := topology.ParsePolicy(p.String())
		require.NoError(t, err, "rendered %q from %q", p.String(), expr)
		require.Equal(t, p, again)
	})
}
