package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// Tag prefixes of the private-data convention. contractapi copies a
// transaction's free-form tags from the chaincode's metadata.json into the
// GetMetadata result unchanged, so tags are the one place a contract can
// declare its private inputs and collections without a side channel:
//
//	"transient:<key>"            the function reads private input <key>
//	"transient:<key>?"           ... which the caller may omit
//	"transient:<key>:<Schema>"   ... whose value must match component <Schema>
//	"collection:<name>"          the function writes private collection <name>;
//	                             only its members endorse
const (
	TagTransient  = "transient:"
	TagCollection = "collection:"
)

type tagSet struct {
	kind        Kind
	secrets     []Secret
	collections []string
}

func parseTags(tags []string) (tagSet, error) {
	set := tagSet{kind: KindSubmit}
	seen := map[string]bool{}
	for _, tag := range tags {
		switch {
		case strings.EqualFold(tag, "evaluate"):
			set.kind = KindEvaluate
		case strings.HasPrefix(tag, TagTransient):
			s, err := parseSecret(strings.TrimPrefix(tag, TagTransient))
			if err != nil {
				return tagSet{}, fmt.Errorf("tag %q: %w", tag, err)
			}
			if seen[s.Key] {
				return tagSet{}, fmt.Errorf("tag %q: transient key %q declared twice", tag, s.Key)
			}
			seen[s.Key] = true
			set.secrets = append(set.secrets, s)
		case strings.HasPrefix(tag, TagCollection):
			name := strings.TrimPrefix(tag, TagCollection)
			if !contractPattern.MatchString(name) {
				return tagSet{}, fmt.Errorf("tag %q: collection name must match %s", tag, contractPattern)
			}
			if !slices.Contains(set.collections, name) {
				set.collections = append(set.collections, name)
			}
		}
	}
	slices.SortFunc(set.secrets, func(a, b Secret) int { return strings.Compare(a.Key, b.Key) })
	slices.Sort(set.collections)
	return set, nil
}

func parseSecret(spec string) (Secret, error) {
	key, ref, _ := strings.Cut(spec, ":")
	s := Secret{SchemaRef: ref}
	if strings.HasSuffix(key, "?") {
		s.Optional = true
		key = strings.TrimSuffix(key, "?")
	}
	if !namePattern.MatchString(key) {
		return Secret{}, fmt.Errorf("transient key must match %s", namePattern)
	}
	s.Key = key
	if ref != "" && !namePattern.MatchString(ref) {
		return Secret{}, fmt.Errorf("schema name must match %s", namePattern)
	}
	return s, nil
}
