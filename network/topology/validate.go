package topology

import (
	"errors"
	"fmt"
	"math"
	"net"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// ErrInvalid is matched (errors.Is) by every error Validate returns.
var ErrInvalid = errors.New("invalid topology")

// FieldError is one rule a topology field breaks.
type FieldError struct {
	// Field is the path of the field in the topology file, e.g.
	// orgs[2].peers[0].port.
	Field string
	// Rule says what is wrong, e.g. "7200 already used by orgs[0].peers[0].port".
	Rule string
	// Err is the underlying cause, when there is one (a policy syntax error).
	Err error
}

func (e *FieldError) Error() string {
	if e.Err != nil {
		return e.Field + ": " + e.Rule + ": " + e.Err.Error()
	}
	return e.Field + ": " + e.Rule
}

// Unwrap returns the underlying cause, if any.
func (e *FieldError) Unwrap() error { return e.Err }

// ValidationError lists every rule a topology breaks, in file order.
type ValidationError struct {
	Fields []*FieldError
}

func (e *ValidationError) Error() string {
	msgs := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		msgs[i] = f.Error()
	}
	return ErrInvalid.Error() + ": " + strings.Join(msgs, "; ")
}

// Unwrap exposes the field errors to errors.As.
func (e *ValidationError) Unwrap() []error {
	out := make([]error, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f
	}
	return out
}

// Is makes every ValidationError match ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Syntax rules. Where Fabric has a rule of its own the pattern is Fabric's.
var (
	namePattern        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)
	orgNamePattern     = regexp.MustCompile(`^[A-Za-z0-9.-]{1,249}$`) // config group key
	mspIDPattern       = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$`)
	nodeNamePattern    = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	dnsLabelPattern    = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$`)
	channelPattern     = regexp.MustCompile(`^[a-z][a-z0-9.-]*$`)
	chaincodePattern   = regexp.MustCompile(`^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$`)
	versionPattern     = regexp.MustCompile(`^[A-Za-z0-9_.+-]{1,64}$`)
	collectionPattern  = regexp.MustCompile(`^[A-Za-z0-9-][A-Za-z0-9_-]{0,127}$`)
	attrNamePattern    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,63}$`)
	packagePathPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$`)
)

// Limits on free text and attribute values.
const (
	maxChannelNameLength = 249
	maxDescriptionLength = 256
	maxAttrValueLength   = 256
	minBFTConsenters     = 4
)

// reservedChaincodes are Fabric's system chaincode names.
var reservedChaincodes = []string{"cscc", "escc", "lscc", "qscc", "vscc"}

// Validate checks every rule a topology must meet before anything is
// generated from it. It reports all broken rules, each naming its field.
func (t *Topology) Validate() error {
	v := &validator{seen: map[string]bool{}}
	v.topology(t)
	if len(v.errs) == 0 {
		return nil
	}
	return &ValidationError{Fields: v.errs}
}

// Warnings are legal but unwise choices, e.g. a single Raft consenter.
func (t *Topology) Warnings() []string {
	var out []string
	n := len(t.Consenters())
	switch t.Ordering.Consensus {
	case ConsensusRaft:
		if n < 3 {
			out = append(out, fmt.Sprintf("ordering.orderers: %d Raft consenter(s) survive no node failure; 3 are recommended", n))
		}
	case ConsensusBFT:
		if n >= minBFTConsenters && (n-1)%3 != 0 {
			out = append(out, fmt.Sprintf("ordering.bftOrderers: %d BFT consenters tolerate no more failures than %d; use 3f+1 nodes", n, (n-1)/3*3+1))
		}
	}
	return out
}

type validator struct {
	errs []*FieldError
	seen map[string]bool // drops the same finding reached twice
}

func (v *validator) add(field, format string, args ...any) {
	v.addErr(&FieldError{Field: field, Rule: fmt.Sprintf(format, args...)})
}

func (v *validator) addErr(e *FieldError) {
	if key := e.Error(); !v.seen[key] {
		v.seen[key] = true
		v.errs = append(v.errs, e)
	}
}

func (v *validator) pattern(field, value string, re *regexp.Regexp, rule string) bool {
	switch {
	case value == "":
		v.add(field, "is required")
	case !re.MatchString(value):
		v.add(field, "%q must be %s", value, rule)
	default:
		return true
	}
	return false
}

func (v *validator) host(field, value string) {
	if value == "" {
		v.add(field, "is required")
	} else if !validHost(value) {
		v.add(field, "%q is neither an IP address nor a DNS name", value)
	}
}

func (v *validator) domain(field, value string) {
	if value == "" {
		v.add(field, "is required")
	} else if value != strings.ToLower(value) || net.ParseIP(value) != nil || !validDNSName(value) {
		v.add(field, "%q must be a lower-case DNS name", value)
	}
}

// unique records value under field and reports an earlier field holding the
// same value.
func (v *validator) unique(seen map[string]string, field, value, what string) {
	if value == "" {
		return
	}
	if prev, ok := seen[value]; ok {
		v.add(field, "%s %q already used by %s", what, value, prev)
		return
	}
	seen[value] = field
}

func (v *validator) topology(t *Topology) {
	v.pattern("name", t.Name, namePattern, "letters, digits, '_', '.', '-' (at most 64)")
	v.host("host", t.Host)
	v.channel(t.Channel)

	names, mspIDs, domains := map[string]string{}, map[string]string{}, map[string]string{}
	v.ordering(t.Ordering, names, mspIDs, domains)
	if len(t.Orgs) == 0 {
		v.add("orgs", "at least one application organisation is required")
	} else if len(t.EndorsingOrgs()) == 0 {
		v.add("orgs", "at least one organisation must not be readOnly, or nothing can be endorsed")
	}
	for i, o := range t.Orgs {
		v.org(fmt.Sprintf("orgs[%d]", i), o, names, mspIDs, domains)
	}
	v.listeners(t)

	ccNames := map[string]string{}
	for i, cc := range t.Chaincodes {
		v.chaincode(t, fmt.Sprintf("chaincodes[%d]", i), cc, ccNames)
	}
}

func (v *validator) channel(c Channel) {
	if v.pattern("channel.name", c.Name, channelPattern, "lower case, starting with a letter, then letters, digits, '.' or '-'") && len(c.Name) > maxChannelNameLength {
		v.add("channel.name", "must be shorter than %d characters", maxChannelNameLength+1)
	}
	b := c.Batch
	if b.Timeout <= 0 {
		v.add("channel.batch.timeout", "%s must be positive", b.Timeout)
	}
	if b.MaxMessageCount < 1 || b.MaxMessageCount > math.MaxUint32 {
		v.add("channel.batch.maxMessageCount", "%d must be 1..%d", b.MaxMessageCount, uint64(math.MaxUint32))
	}
	abs := v.byteSize("channel.batch.absoluteMaxBytes", b.AbsoluteMaxBytes)
	pref := v.byteSize("channel.batch.preferredMaxBytes", b.PreferredMaxBytes)
	if abs > 0 && pref > abs {
		v.add("channel.batch.preferredMaxBytes", "%s exceeds absoluteMaxBytes %s", b.PreferredMaxBytes, b.AbsoluteMaxBytes)
	}
}

func (v *validator) byteSize(field, value string) uint32 {
	n, err := ParseByteSize(value)
	switch {
	case err != nil:
		v.addErr(&FieldError{Field: field, Rule: "must be a size such as 10 MB", Err: err})
	case n == 0:
		v.add(field, "must be more than 0 bytes")
	}
	return n
}

func (v *validator) ordering(o Ordering, names, mspIDs, domains map[string]string) {
	v.orgIdentity("ordering", o.Name, o.MSPID, o.Domain, names, mspIDs, domains)
	v.ca("ordering.ca", o.CA)
	switch o.Consensus {
	case ConsensusRaft:
		if len(o.Orderers) == 0 {
			v.add("ordering.orderers", "Raft needs at least 1 orderer (3 recommended)")
		}
	case ConsensusBFT:
		if len(o.BFTOrderers) < minBFTConsenters {
			v.add("ordering.bftOrderers", "BFT needs at least %d orderers (3f+1), found %d", minBFTConsenters, len(o.BFTOrderers))
		}
	default:
		v.add("ordering.consensus", "%q must be %s or %s", o.Consensus, ConsensusRaft, ConsensusBFT)
	}
	v.orderers("ordering.orderers", o.Orderers)
	v.orderers("ordering.bftOrderers", o.BFTOrderers)
	v.users("ordering.users", o.Users)
}

func (v *validator) orgIdentity(field, name, mspID, domain string, names, mspIDs, domains map[string]string) {
	if v.pattern(field+".name", name, orgNamePattern, "letters, digits, '.' or '-'") {
		if name == "." || name == ".." {
			v.add(field+".name", "%q is reserved", name)
		}
		v.unique(names, field+".name", name, "name")
	}
	if v.pattern(field+".mspID", mspID, mspIDPattern, "a letter or digit, then letters, digits, '.' or '-' (at most 64)") {
		v.unique(mspIDs, field+".mspID", mspID, "MSP ID")
	}
	v.domain(field+".domain", domain)
	v.unique(domains, field+".domain", domain, "domain")
}

func (v *validator) ca(field string, ca CA) {
	v.host(field+".host", ca.Host)
}

func (v *validator) orderers(field string, os []Orderer) {
	seen := map[string]string{}
	for i, o := range os {
		f := fmt.Sprintf("%s[%d]", field, i)
		if v.pattern(f+".name", o.Name, nodeNamePattern, "a lower-case DNS label") {
			v.unique(seen, f+".name", o.Name, "name")
		}
		v.host(f+".host", o.Host)
	}
}

func (v *validator) org(field string, o Org, names, mspIDs, domains map[string]string) {
	v.orgIdentity(field, o.Name, o.MSPID, o.Domain, names, mspIDs, domains)
	if len(o.Description) > maxDescriptionLength || strings.IndexFunc(o.Description, unicode.IsControl) >= 0 {
		v.add(field+".description", "must be at most %d characters without control characters", maxDescriptionLength)
	}
	v.ca(field+".ca", o.CA)
	if len(o.Peers) == 0 {
		v.add(field+".peers", "at least one peer is required")
	} else if len(o.AnchorPeers()) == 0 {
		v.add(field+".peers", "at least one peer must be an anchor")
	}
	seen := map[string]string{}
	for i, p := range o.Peers {
		f := fmt.Sprintf("%s.peers[%d]", field, i)
		if v.pattern(f+".name", p.Name, nodeNamePattern, "a lower-case DNS label") {
			v.unique(seen, f+".name", p.Name, "name")
		}
		v.host(f+".host", p.Host)
	}
	v.users(field+".users", o.Users)
}

func (v *validator) users(field string, us []User) {
	seen := map[string]string{}
	for i, u := range us {
		f := fmt.Sprintf("%s[%d]", field, i)
		if v.pattern(f+".name", u.Name, namePattern, "letters, digits, '_', '.', '-' (at most 64)") {
			if strings.EqualFold(u.Name, AdminUser) {
				v.add(f+".name", "%q is reserved for the organisation's admin", u.Name)
			}
			v.unique(seen, f+".name", strings.ToLower(u.Name), "name")
		}
		keys := make([]string, 0, len(u.Attrs))
		for k := range u.Attrs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			v.attr(f+".attrs."+k, k, u.Attrs[k])
		}
	}
}

// attr checks a user attribute against what survives fabric-ca-client's
// `--id.attrs name=value:ecert,...` flag: commas and quotes split the list,
// '=' splits name from value and ':' introduces the ecert flag.
func (v *validator) attr(field, name, value string) {
	switch {
	case !attrNamePattern.MatchString(name):
		v.add(field, "attribute name must be a letter, then letters, digits, '_', '.', '-' (at most 64)")
	case strings.HasPrefix(strings.ToLower(name), "hf."):
		v.add(field, "attribute names starting with hf. are reserved by Fabric CA")
	case value == "":
		v.add(field, "value is required")
	case len(value) > maxAttrValueLength:
		v.add(field, "value must be at most %d characters", maxAttrValueLength)
	case strings.ContainsAny(value, `,=:"'\`):
		v.add(field, "value %q must not contain , = : quotes or backslashes", value)
	case strings.IndexFunc(value, unicode.IsControl) >= 0 || strings.TrimSpace(value) != value:
		v.add(field, "value must not contain control characters or surrounding spaces")
	}
}

// listeners checks that every listener has a valid port and that no two
// share a port on one host, for each consensus configuration the topology
// defines (switching to BFT must not reveal a clash).
func (v *validator) listeners(t *Topology) {
	kinds := []string{ConsensusRaft, ConsensusBFT}
	for _, kind := range kinds {
		if kind != t.Ordering.Consensus && len(t.Ordering.consenters(kind)) == 0 {
			continue
		}
		ls := t.listeners(kind)
		for i, l := range ls {
			if l.Port < 1 || l.Port > 65535 {
				if l.Port == 0 {
					v.add(l.Owner, "is required (1..65535)")
				} else {
					v.add(l.Owner, "%d is not 1..65535", l.Port)
				}
				continue
			}
			for _, prev := range ls[:i] {
				if prev.Port == l.Port && sameHost(prev.Host, l.Host) {
					v.add(l.Owner, "%d already used by %s", l.Port, prev.Owner)
					break
				}
			}
		}
	}
}

func (v *validator) chaincode(t *Topology, field string, cc Chaincode, names map[string]string) {
	if v.pattern(field+".name", cc.Name, chaincodePattern, "letters and digits, optionally joined by single '-' or '_'") {
		if slices.Contains(reservedChaincodes, cc.Name) {
			v.add(field+".name", "%q is a Fabric system chaincode", cc.Name)
		}
		v.unique(names, field+".name", cc.Name, "name")
	}
	v.pattern(field+".version", cc.Version, versionPattern, "letters, digits, '_', '.', '+', '-' (at most 64)")
	if cc.Sequence < 1 {
		v.add(field+".sequence", "%d must be at least 1", cc.Sequence)
	}
	if v.pattern(field+".path", cc.Path, packagePathPattern, "a relative, slash-separated package path") &&
		(path.Clean(cc.Path) != cc.Path || slices.Contains(strings.Split(cc.Path, "/"), "..")) {
		v.add(field+".path", "%q must be a clean path inside the repository", cc.Path)
	}
	if cc.Address == "" {
		v.add(field+".address", "is required")
	} else if host, _, err := splitAddress(cc.Address); err != nil {
		v.add(field+".address", "%q must be host:port: %v", cc.Address, err)
	} else if !validHost(host) {
		v.add(field+".address", "%q: host is neither an IP address nor a DNS name", cc.Address)
	}
	v.endorsementPolicy(t, field+".endorsementPolicy", cc.EndorsementPolicy)

	seen := map[string]string{}
	for i, c := range cc.Collections {
		v.collection(t, fmt.Sprintf("%s.collections[%d]", field, i), c, seen)
	}
}

func (v *validator) collection(t *Topology, field string, c Collection, names map[string]string) {
	if v.pattern(field+".name", c.Name, collectionPattern, "letters, digits, '_' or '-', not starting with '_'") {
		v.unique(names, field+".name", c.Name, "name")
	}
	if len(c.Members) == 0 {
		v.add(field+".members", "at least one member organisation is required")
	}
	seen := map[string]string{}
	for i, m := range c.Members {
		f := fmt.Sprintf("%s.members[%d]", field, i)
		v.endorsingOrg(t, f, m, "be a member")
		v.unique(seen, f, m, "member")
	}
	if c.RequiredPeerCount < 0 {
		v.add(field+".requiredPeerCount", "%d must not be negative", c.RequiredPeerCount)
	}
	if c.MaxPeerCount < c.RequiredPeerCount {
		v.add(field+".maxPeerCount", "%d is less than requiredPeerCount %d", c.MaxPeerCount, c.RequiredPeerCount)
	} else if c.MaxPeerCount > math.MaxInt32 {
		v.add(field+".maxPeerCount", "%d exceeds %d", c.MaxPeerCount, math.MaxInt32)
	}
	v.endorsementPolicy(t, field+".endorsementPolicy", c.EndorsementPolicy)
}

// endorsementPolicy checks that a policy parses and names only endorsing
// application organisations.
func (v *validator) endorsementPolicy(t *Topology, field, expr string) {
	if strings.TrimSpace(expr) == "" {
		v.add(field, "is required")
		return
	}
	p, err := ParsePolicy(expr)
	if err != nil {
		v.addErr(&FieldError{Field: field, Rule: "is not a signature policy", Err: err})
		return
	}
	for _, id := range p.MSPIDs() {
		v.endorsingOrg(t, field, id, "endorse")
	}
}

func (v *validator) endorsingOrg(t *Topology, field, mspID, what string) {
	switch o, ok := t.OrgByMSPID(mspID); {
	case mspID == t.Ordering.MSPID:
		v.add(field, "%s is the ordering organisation and cannot %s", mspID, what)
	case !ok:
		v.add(field, "%s is not an organisation of the topology", mspID)
	case o.ReadOnly:
		v.add(field, "%s is readOnly and cannot %s", mspID, what)
	}
}

// sameHost reports whether two listener hosts can clash: equal after
// treating localhost as 127.0.0.1, or either is a wildcard address.
func sameHost(a, b string) bool {
	norm := func(h string) string {
		if strings.EqualFold(h, "localhost") {
			return "127.0.0.1"
		}
		if ip := net.ParseIP(h); ip != nil {
			if ip.IsUnspecified() {
				return "*"
			}
			return ip.String()
		}
		return strings.ToLower(h)
	}
	a, b = norm(a), norm(b)
	return a == b || a == "*" || b == "*"
}

func validHost(h string) bool { return net.ParseIP(h) != nil || validDNSName(h) }

func validDNSName(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if !dnsLabelPattern.MatchString(label) {
			return false
		}
	}
	return true
}
