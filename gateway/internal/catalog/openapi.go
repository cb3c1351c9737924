package catalog

import (
	"encoding/json"
	"fmt"
	"strings"
)

// APIInfo is the document-level description of the gateway.
type APIInfo struct {
	Title       string
	Version     string
	Description string
	// ReadOnly documents that every submit is refused (regulator gateways).
	ReadOnly bool
}

type object = map[string]any

const schemaPrefix = "#/components/schemas/"

// OpenAPI describes every route of the catalog as an OpenAPI 3.0 document.
// Component schemas are namespaced by chaincode (procurement.Tender) because
// two chaincodes may define types of the same name.
func (c *Catalog) OpenAPI(info APIInfo) ([]byte, error) {
	schemas := object{}
	for name, s := range staticSchemas() {
		schemas[name] = s
	}
	paths := staticPaths()
	for _, cc := range c.Chaincodes() {
		for name, raw := range cc.Components {
			s, err := namespaced(cc.Name, raw)
			if err != nil {
				return nil, &MetadataError{Chaincode: cc.Name, Where: "component " + name, Err: err}
			}
			schemas[cc.Name+"."+name] = s
		}
		for _, fn := range cc.Functions() {
			if err := addFunctionPaths(paths, fn, info.ReadOnly); err != nil {
				return nil, err
			}
		}
	}
	desc := info.Description
	if info.ReadOnly {
		desc = strings.TrimSpace(desc + "\n\nThis gateway is read-only: every submit is refused with 403 READ_ONLY.")
	}
	doc := object{
		"openapi": "3.0.3",
		"info": object{
			"title":       info.Title,
			"version":     info.Version,
			"description": desc,
		},
		"paths": paths,
		"components": object{
			"schemas": schemas,
			"securitySchemes": object{
				"apiKey": object{"type": "apiKey", "in": "header", "name": "X-API-Key"},
				"bearer": object{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
			},
			"responses": object{
				"Problem": object{
					"description": "RFC 9457 problem details",
					"content":     object{"application/problem+json": object{"schema": ref("Problem")}},
				},
			},
		},
		"security": []any{object{"apiKey": []any{}}, object{"bearer": []any{}}},
	}
	return json.MarshalIndent(doc, "", "  ")
}

func ref(name string) object { return object{"$ref": schemaPrefix + name} }

// namespaced decodes a component or parameter schema, prefixes its $refs with
// the chaincode name and drops $id (not an OpenAPI 3.0 keyword).
func namespaced(chaincode string, raw json.RawMessage) (any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	return rewrite(chaincode, v), nil
}

func rewrite(chaincode string, v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, val := range t {
			if k == "$id" {
				continue
			}
			if s, ok := val.(string); ok && k == "$ref" && strings.HasPrefix(s, schemaPrefix) {
				out[k] = schemaPrefix + chaincode + "." + strings.TrimPrefix(s, schemaPrefix)
				continue
			}
			out[k] = rewrite(chaincode, val)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, val := range t {
			out[i] = rewrite(chaincode, val)
		}
		return out
	default:
		return v
	}
}

func addFunctionPaths(paths object, fn *Function, readOnly bool) error {
	body, err := requestSchema(fn)
	if err != nil {
		return err
	}
	var returns any = object{"description": "the function returns nothing", "nullable": true}
	if len(fn.Returns) > 0 {
		if returns, err = namespaced(fn.Chaincode, fn.Returns); err != nil {
			return &MetadataError{Chaincode: fn.Chaincode, Where: "returns of " + fn.Route(), Err: err}
		}
	}
	base := "/v1/" + fn.Chaincode + "/" + fn.Route()
	tags := []string{fn.Chaincode}
	opID := fn.Chaincode + "." + fn.Route()
	jsonBody := func(s any) object {
		return object{"required": true, "content": object{"application/json": object{"schema": s}}}
	}
	problems := object{"default": object{"$ref": "#/components/responses/Problem"}}
	withProblems := func(r object) object {
		for k, v := range problems {
			r[k] = v
		}
		return r
	}

	if fn.Kind == KindEvaluate {
		evalResult := object{"type": "object", "properties": object{"result": returns}}
		ok := object{"200": object{"description": "evaluation result", "content": object{"application/json": object{"schema": evalResult}}}}
		op := object{
			"operationId": opID,
			"tags":        tags,
			"summary":     "evaluate " + fn.Qualified(),
			"requestBody": jsonBody(body),
			"responses":   withProblems(ok),
		}
		path := object{"post": op}
		if len(fn.Secrets) == 0 {
			get := object{
				"operationId": opID + ".get",
				"tags":        tags,
				"summary":     "evaluate " + fn.Qualified() + " with query parameters",
				"parameters":  queryParams(fn),
				"responses":   withProblems(cloneObject(ok)),
			}
			path["get"] = get
		}
		paths[base] = path
		paths[base+":prepare"] = object{"post": prepareOp(opID, tags, jsonBody(body), withProblems)}
		paths[base+":evaluate"] = object{"post": object{
			"operationId": opID + ".evaluate",
			"tags":        tags,
			"summary":     "evaluate a proposal the caller signed",
			"requestBody": jsonBody(ref("SignedProposal")),
			"responses":   withProblems(cloneObject(ok)),
		}}
		return nil
	}

	submitResult := object{"allOf": []any{ref("SubmitResult"), object{"type": "object", "properties": object{"result": returns}}}}
	desc := "submit " + fn.Qualified() + " and wait until it is committed"
	if len(fn.EndorsingOrgs) > 0 {
		desc += "; endorsed only by " + strings.Join(fn.EndorsingOrgs, ", ")
	}
	if readOnly {
		desc += " (refused: this gateway is read-only)"
	}
	paths[base] = object{"post": object{
		"operationId": opID,
		"tags":        tags,
		"summary":     desc,
		"parameters": []any{
			object{"name": "async", "in": "query", "schema": object{"type": "boolean"}, "description": "return 202 with a receipt instead of waiting"},
			object{"name": "Prefer", "in": "header", "schema": object{"type": "string", "example": "respond-async"}},
			object{"name": "Idempotency-Key", "in": "header", "schema": object{"type": "string", "maxLength": 200}, "description": "same key and caller return the same outcome and never a second transaction"},
		},
		"requestBody": jsonBody(body),
		"responses": withProblems(object{
			"200": object{"description": "committed", "content": object{"application/json": object{"schema": submitResult}}},
			"202": object{"description": "accepted; poll the receipt", "content": object{"application/json": object{"schema": ref("Receipt")}}},
		}),
	}}
	paths[base+":prepare"] = object{"post": prepareOp(opID, tags, jsonBody(body), withProblems)}
	paths[base+":endorse"] = object{"post": object{
		"operationId": opID + ".endorse",
		"tags":        tags,
		"summary":     "endorse a proposal the caller signed; returns the transaction digest to sign",
		"requestBody": jsonBody(ref("SignedProposal")),
		"responses":   withProblems(object{"200": object{"description": "endorsed", "content": object{"application/json": object{"schema": ref("Endorsed")}}}}),
	}}
	paths[base+":submit"] = object{"post": object{
		"operationId": opID + ".submit",
		"tags":        tags,
		"summary":     "submit a transaction the caller signed",
		"parameters":  []any{object{"name": "async", "in": "query", "schema": object{"type": "boolean"}}},
		"requestBody": jsonBody(ref("SignedTransaction")),
		"responses": withProblems(object{
			"200": object{"description": "committed", "content": object{"application/json": object{"schema": ref("SubmitResult")}}},
			"202": object{"description": "accepted", "content": object{"application/json": object{"schema": ref("Receipt")}}},
		}),
	}}
	return nil
}

func prepareOp(opID string, tags []string, body object, withProblems func(object) object) object {
	return object{
		"operationId": opID + ".prepare",
		"tags":        tags,
		"summary":     "build an unsigned proposal for the caller to sign (non-custodial)",
		"requestBody": body,
		"responses":   withProblems(object{"200": object{"description": "proposal to sign", "content": object{"application/json": object{"schema": ref("Prepared")}}}}),
	}
}

func requestSchema(fn *Function) (object, error) {
	props := object{}
	required := []string{}
	for _, p := range fn.Params {
		s, err := namespaced(fn.Chaincode, p.Schema)
		if err != nil {
			return nil, &MetadataError{Chaincode: fn.Chaincode, Where: "parameter " + p.Name + " of " + fn.Route(), Err: err}
		}
		if p.Description != "" {
			if m, ok := s.(map[string]any); ok {
				m["description"] = p.Description
			}
		}
		props[p.Name] = s
		required = append(required, p.Name)
	}
	if len(fn.Secrets) > 0 {
		secretProps := object{}
		secretRequired := []string{}
		for _, s := range fn.Secrets {
			var schema any = object{"description": "any JSON value"}
			if s.SchemaRef != "" {
				schema = ref(fn.Chaincode + "." + s.SchemaRef)
			}
			secretProps[s.Key] = schema
			if !s.Optional {
				secretRequired = append(secretRequired, s.Key)
			}
		}
		t := object{
			"type":                 "object",
			"description":          "private inputs: sent as transient data only, never recorded on the ledger",
			"properties":           secretProps,
			"additionalProperties": false,
		}
		if len(secretRequired) > 0 {
			t["required"] = secretRequired
			required = append(required, TransientField)
		}
		props[TransientField] = t
	}
	s := object{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s, nil
}

func queryParams(fn *Function) []any {
	out := make([]any, 0, len(fn.Params))
	for _, p := range fn.Params {
		s, err := namespaced(fn.Chaincode, p.Schema)
		if err != nil {
			s = object{}
		}
		q := object{"name": p.Name, "in": "query", "required": true, "schema": s}
		if p.scalar == "" {
			q["description"] = "JSON-encoded value"
		}
		out = append(out, q)
	}
	return out
}

func cloneObject(o object) object {
	out := make(object, len(o))
	for k, v := range o {
		out[k] = v
	}
	return out
}

func staticSchemas() object {
	str := object{"type": "string"}
	b64 := object{"type": "string", "format": "byte"}
	return object{
		"Problem": object{
			"type":     "object",
			"required": []string{"type", "title", "status", "code"},
			"properties": object{
				"type":           str,
				"title":          str,
				"status":         object{"type": "integer"},
				"detail":         str,
				"instance":       str,
				"code":           object{"type": "string", "description": "stable machine-readable error code"},
				"field":          str,
				"errors":         object{"type": "array", "items": object{"type": "object", "properties": object{"field": str, "rule": str, "detail": str}}},
				"txId":           str,
				"validationCode": str,
				"requestId":      str,
			},
		},
		"SubmitResult": object{
			"type":     "object",
			"required": []string{"txId", "blockNumber", "validationCode"},
			"properties": object{
				"result":         object{"description": "the function's return value"},
				"txId":           str,
				"blockNumber":    object{"type": "integer", "format": "int64"},
				"validationCode": str,
			},
		},
		"Receipt": object{
			"type":     "object",
			"required": []string{"txId", "status"},
			"properties": object{
				"txId":           str,
				"status":         object{"type": "string", "enum": []string{"pending", "committed", "failed"}},
				"chaincode":      str,
				"function":       str,
				"result":         object{},
				"blockNumber":    object{"type": "integer", "format": "int64"},
				"validationCode": str,
				"error":          ref("Problem"),
				"attempts":       object{"type": "array", "items": str, "description": "tx ids tried, oldest first"},
			},
		},
		"Prepared": object{
			"type":     "object",
			"required": []string{"txId", "proposal", "digest"},
			"properties": object{
				"txId":     str,
				"proposal": b64,
				"digest":   object{"type": "string", "format": "byte", "description": "SHA-256 digest to sign with the caller's key (ECDSA, DER)"},
			},
		},
		"SignedProposal": object{
			"type":                 "object",
			"required":             []string{"proposal", "signature"},
			"additionalProperties": false,
			"properties":           object{"proposal": b64, "signature": b64},
		},
		"Endorsed": object{
			"type":     "object",
			"required": []string{"txId", "transaction", "digest"},
			"properties": object{
				"txId":        str,
				"transaction": b64,
				"digest":      b64,
				"result":      object{},
			},
		},
		"SignedTransaction": object{
			"type":                 "object",
			"required":             []string{"transaction", "signature"},
			"additionalProperties": false,
			"properties":           object{"transaction": b64, "signature": b64},
		},
		"Subscription": object{
			"type":     "object",
			"required": []string{"chaincode", "url"},
			"properties": object{
				"id":         str,
				"chaincode":  str,
				"url":        object{"type": "string", "format": "uri"},
				"eventNames": object{"type": "array", "items": str},
				"fromBlock":  object{"type": "integer", "format": "int64"},
				"secret":     object{"type": "string", "description": "HMAC-SHA256 key; returned only when created"},
				"checkpoint": str,
				"lastError":  str,
			},
		},
	}
}

func staticPaths() object {
	problem := object{"default": object{"$ref": "#/components/responses/Problem"}}
	with := func(r object) object {
		for k, v := range problem {
			r[k] = v
		}
		return r
	}
	okJSON := func(desc string, s any) object {
		return object{"description": desc, "content": object{"application/json": object{"schema": s}}}
	}
	return object{
		"/v1/transactions/{txId}": object{"get": object{
			"operationId": "getReceipt",
			"summary":     "poll the receipt of an asynchronous or idempotent submit",
			"parameters":  []any{object{"name": "txId", "in": "path", "required": true, "schema": object{"type": "string"}}},
			"responses":   with(object{"200": okJSON("receipt", ref("Receipt"))}),
		}},
		"/v1/events": object{"get": object{
			"operationId": "streamEvents",
			"summary":     "server-sent chaincode events; event id is <block>:<txId>, resume with Last-Event-ID",
			"parameters": []any{
				object{"name": "chaincode", "in": "query", "required": true, "schema": object{"type": "string"}},
				object{"name": "fromBlock", "in": "query", "schema": object{"type": "integer", "format": "int64"}},
				object{"name": "Last-Event-ID", "in": "header", "schema": object{"type": "string"}},
			},
			"responses": with(object{"200": object{"description": "event stream", "content": object{"text/event-stream": object{"schema": object{"type": "string"}}}}}),
		}},
		"/v1/subscriptions": object{
			"post": object{
				"operationId": "createSubscription",
				"summary":     "register a webhook for chaincode events",
				"requestBody": object{"required": true, "content": object{"application/json": object{"schema": ref("Subscription")}}},
				"responses":   with(object{"201": okJSON("created", ref("Subscription"))}),
			},
			"get": object{
				"operationId": "listSubscriptions",
				"summary":     "the caller's subscriptions, paged",
				"parameters": []any{
					object{"name": "pageSize", "in": "query", "schema": object{"type": "integer", "minimum": 1, "maximum": 100}},
					object{"name": "bookmark", "in": "query", "schema": object{"type": "string"}},
				},
				"responses": with(object{"200": okJSON("page", object{"type": "object", "properties": object{
					"items":    object{"type": "array", "items": ref("Subscription")},
					"bookmark": object{"type": "string"},
				}})}),
			},
		},
		"/v1/subscriptions/{id}": object{
			"get": object{
				"operationId": "getSubscription",
				"parameters":  []any{object{"name": "id", "in": "path", "required": true, "schema": object{"type": "string"}}},
				"responses":   with(object{"200": okJSON("subscription", ref("Subscription"))}),
			},
			"delete": object{
				"operationId": "deleteSubscription",
				"parameters":  []any{object{"name": "id", "in": "path", "required": true, "schema": object{"type": "string"}}},
				"responses":   with(object{"204": object{"description": "deleted"}}),
			},
		},
		"/v1/admin/refresh": object{"post": object{
			"operationId": "refreshCatalog",
			"summary":     "re-read every chaincode's metadata (admin callers only)",
			"responses":   with(object{"200": okJSON("chaincodes now served", object{"type": "object"})}),
		}},
	}
}
