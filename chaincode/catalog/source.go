package catalog

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// The gateway's name rules (gateway/internal/catalog): parameter names,
// transient keys and schema names follow namePattern, collection names
// contractPattern; "transient" is the request member for private inputs.
var (
	namePattern       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,127}$`)
	collectionPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]{0,127}$`)
)

const reservedParameter = "transient"

// directivePrefix starts a GovLedger directive. Written without a space, as
// Go's own //go: directives, so go/doc keeps it out of the rendered doc.
const directivePrefix = "//govledger:"

// method is one method declaration as the source writes it.
type method struct {
	name string
	// params are the declared parameter names, "" for an unnamed one; a
	// grouped declaration (a, b string) gives one entry per name.
	params     []string
	directives []directive
	pos        string
}

// directive is one //govledger: line of a method's doc comment.
type directive struct {
	text string // the whole comment, for messages
	verb string
	arg  string
	pos  string
}

// sourcePackage is the parsed methods of one Go package, by receiver type
// name and method name.
type sourcePackage struct {
	methods map[string]map[string]*method
	// loose are functions and methods no contract can have (no receiver,
	// a generic one), kept so a directive on them is reported, not ignored.
	loose []*method
}

// parsePackage reads the package in root/dir as `go build` would select its
// files (build constraints honoured, tests excluded).
func parsePackage(root, dir string) (*sourcePackage, error) {
	abs := filepath.Join(root, filepath.FromSlash(dir))
	bp, err := build.Default.ImportDir(abs, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: package %s: %w", ErrSource, dir, err)
	}
	files, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("%w: package %s: %w", ErrSource, dir, err)
	}
	defer func() { _ = files.Close() }() // read only
	fset := token.NewFileSet()
	pkg := &sourcePackage{methods: map[string]map[string]*method{}}
	for _, name := range bp.GoFiles {
		src, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSource, err)
		}
		f, err := parser.ParseFile(fset, path.Join(dir, name), src, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSource, err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			recv := ""
			if fn.Recv != nil && len(fn.Recv.List) == 1 {
				recv = receiverType(fn.Recv.List[0].Type)
			}
			if recv == "" {
				pkg.loose = append(pkg.loose, newMethod(fset, fn))
				continue
			}
			if pkg.methods[recv] == nil {
				pkg.methods[recv] = map[string]*method{}
			}
			pkg.methods[recv][fn.Name.Name] = newMethod(fset, fn)
		}
	}
	return pkg, nil
}

// receiverType is the name of T in a receiver T or *T; "" for anything
// else: methods of generic types are not looked up, so a contract of one
// fails with ErrMismatch rather than getting wrong names.
func receiverType(expr ast.Expr) string {
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	if id, ok := expr.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func newMethod(fset *token.FileSet, fn *ast.FuncDecl) *method {
	m := &method{name: fn.Name.Name, pos: position(fset, fn.Pos())}
	for _, field := range fn.Type.Params.List {
		if len(field.Names) == 0 {
			m.params = append(m.params, "")
		}
		for _, id := range field.Names {
			m.params = append(m.params, id.Name)
		}
	}
	if fn.Doc == nil {
		return m
	}
	for _, c := range fn.Doc.List {
		rest, ok := strings.CutPrefix(c.Text, directivePrefix)
		if !ok {
			continue
		}
		verb, arg, _ := strings.Cut(rest, " ")
		m.directives = append(m.directives, directive{
			text: c.Text, verb: verb, arg: strings.TrimSpace(arg), pos: position(fset, c.Pos()),
		})
	}
	return m
}

func position(fset *token.FileSet, p token.Pos) string {
	pos := fset.Position(p)
	return fmt.Sprintf("%s:%d", pos.Filename, pos.Line)
}

// parameterNames returns the names of the n parameters contractapi reflects
// for m, skipping the transaction context: contractapi accepts the context
// only as the first parameter, so a method with n+1 parameters has one.
func (m *method) parameterNames(n int) ([]string, error) {
	names := m.params
	switch len(names) {
	case n:
	case n + 1:
		names = names[1:]
	default:
		return nil, fmt.Errorf("%w: method %s declares %d parameters, contractapi reflects %d and a transaction context",
			ErrMismatch, m.name, len(m.params), n)
	}
	for i, name := range names {
		if name == "" || name == "_" {
			return nil, fmt.Errorf("%w: parameter %d of %s has no name: name it, the name is its JSON field", ErrParameterName, i, m.name)
		}
		if !namePattern.MatchString(name) || name == reservedParameter {
			return nil, fmt.Errorf("%w: parameter %q of %s must match %s and not be %q",
				ErrParameterName, name, m.name, namePattern, reservedParameter)
		}
	}
	return names, nil
}

// tags turns m's directives into gateway tags. hasSchema says whether a
// component schema exists, for transient:<key>:<Schema>.
func (m *method) tags(hasSchema func(string) bool) ([]string, error) {
	var out []string
	keys := map[string]bool{}
	for _, d := range m.directives {
		tag, key, err := d.tag(hasSchema)
		if err != nil {
			return nil, err
		}
		if key != "" {
			if keys[key] {
				return nil, directiveError(d, fmt.Errorf("transient key %q declared twice", key))
			}
			keys[key] = true
		}
		out = append(out, tag)
	}
	return out, nil
}

// tag returns the gateway tag of d and, for a transient input, its key.
func (d directive) tag(hasSchema func(string) bool) (tag, key string, err error) {
	if d.arg == "" || strings.ContainsAny(d.arg, " \t") {
		return "", "", directiveError(d, errors.New("takes exactly one argument"))
	}
	switch d.verb {
	case "transient":
		key, schema, hasRef := strings.Cut(d.arg, ":")
		key = strings.TrimSuffix(key, "?")
		if !namePattern.MatchString(key) {
			return "", "", directiveError(d, fmt.Errorf("transient key %q must match %s", key, namePattern))
		}
		if hasRef && (!namePattern.MatchString(schema) || !hasSchema(schema)) {
			return "", "", directiveError(d, fmt.Errorf("schema %q must be one of the metadata's components.schemas", schema))
		}
		return "transient:" + d.arg, key, nil
	case "collection":
		if !collectionPattern.MatchString(d.arg) {
			return "", "", directiveError(d, fmt.Errorf("collection name %q must match %s", d.arg, collectionPattern))
		}
		return "collection:" + d.arg, "", nil
	default:
		return "", "", directiveError(d, fmt.Errorf("unknown directive %q: want transient or collection", d.verb))
	}
}

func directiveError(d directive, err error) error {
	return fmt.Errorf("%w %q at %s: %w", ErrDirective, d.text, d.pos, err)
}
