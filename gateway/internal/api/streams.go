package api

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/govledger/govledger/gateway/internal/catalog"
	"github.com/govledger/govledger/gateway/internal/events"
	"github.com/govledger/govledger/gateway/internal/ledger"
	"github.com/govledger/govledger/gateway/internal/problem"
	"github.com/govledger/govledger/gateway/internal/strictjson"
)

// events serves GET /v1/events?chaincode=…&fromBlock=… as server-sent
// events. Last-Event-ID (header, or lastEventId for clients that cannot set
// headers) wins over fromBlock; without either the stream starts now.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	if s.streamer == nil {
		return problem.ErrRouteNotFound
	}
	q := r.URL.Query()
	chaincode := q.Get("chaincode")
	infoFrom(r.Context()).chaincode = chaincode
	if chaincode == "" {
		return &strictjson.Error{Field: "chaincode", Rule: "required", Detail: "query parameter is required"}
	}
	if !s.catalogs.Serves(chaincode) {
		return &catalog.NotFoundError{Chaincode: chaincode, Err: catalog.ErrUnknownChaincode}
	}
	var from *ledger.Position
	last := r.Header.Get("Last-Event-ID")
	if last == "" {
		last = q.Get("lastEventId")
	}
	switch {
	case last != "":
		pos, err := ledger.ParseEventID(last)
		if err != nil {
			return err
		}
		from = &pos
	case q.Get("fromBlock") != "":
		n, err := strconv.ParseUint(q.Get("fromBlock"), 10, 64)
		if err != nil {
			return &strictjson.Error{Field: "fromBlock", Rule: "type", Detail: "must be a block number"}
		}
		from = &ledger.Position{Block: n}
	}
	return s.streamer.Serve(w, r, chaincode, from)
}

type newSubscription struct {
	Chaincode  string   `json:"chaincode"`
	URL        string   `json:"url"`
	EventNames []string `json:"eventNames"`
	FromBlock  *uint64  `json:"fromBlock"`
	Secret     string   `json:"secret"`
}

type subscriptionJSON struct {
	ID         string   `json:"id"`
	Chaincode  string   `json:"chaincode"`
	URL        string   `json:"url"`
	EventNames []string `json:"eventNames,omitempty"`
	Secret     string   `json:"secret,omitempty"`
	Created    string   `json:"created"`
	// Checkpoint is the id-like position deliveries resume from.
	Checkpoint string `json:"checkpoint,omitempty"`
	Failures   int    `json:"failures,omitempty"`
	LastError  string `json:"lastError,omitempty"`
}

func subscriptionOf(st events.Status) subscriptionJSON {
	out := subscriptionJSON{
		ID: st.ID, Chaincode: st.Chaincode, URL: st.URL, EventNames: st.EventNames, Secret: st.Secret,
		Created: st.Created.UTC().Format("2006-01-02T15:04:05Z"), Failures: st.Failures, LastError: st.LastError,
	}
	if st.Checkpoint.AfterTxID != "" {
		out.Checkpoint = strconv.FormatUint(st.Checkpoint.Block, 10) + ":" + st.Checkpoint.AfterTxID
	} else {
		out.Checkpoint = strconv.FormatUint(st.Checkpoint.Block, 10)
	}
	return out
}

// subscriptions serves POST (create) and GET (list, paged) on
// /v1/subscriptions.
func (s *Server) subscriptions(w http.ResponseWriter, r *http.Request) error {
	if s.subs == nil {
		return problem.ErrRouteNotFound
	}
	owner := callerOf(r).ID
	if r.Method == http.MethodGet {
		size := 20
		if v := r.URL.Query().Get("pageSize"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return &strictjson.Error{Field: "pageSize", Rule: "type", Detail: "must be an integer"}
			}
			size = n
		}
		page, next, err := s.subs.List(owner, size, r.URL.Query().Get("bookmark"))
		if err != nil {
			return err
		}
		items := make([]subscriptionJSON, 0, len(page))
		for _, st := range page {
			items = append(items, subscriptionOf(st))
		}
		writeJSON(w, http.StatusOK, struct {
			Items    []subscriptionJSON `json:"items"`
			Bookmark string             `json:"bookmark,omitempty"`
		}{items, next})
		return nil
	}
	raw, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var body newSubscription
	if err := strictjson.Decode(bytes.NewReader(raw), &body); err != nil {
		return err
	}
	infoFrom(r.Context()).chaincode = body.Chaincode
	sub, err := s.subs.Create(r.Context(), owner, events.NewSubscription{
		Chaincode: body.Chaincode, URL: body.URL, EventNames: body.EventNames, FromBlock: body.FromBlock, Secret: body.Secret,
	})
	if err != nil {
		return err
	}
	st, err := s.subs.Get(owner, sub.ID)
	if err != nil {
		return err
	}
	st.Secret = sub.Secret
	w.Header().Set("Location", "/v1/subscriptions/"+sub.ID)
	writeJSON(w, http.StatusCreated, subscriptionOf(st))
	return nil
}

// subscription serves GET and DELETE on /v1/subscriptions/{id}.
func (s *Server) subscription(w http.ResponseWriter, r *http.Request) error {
	if s.subs == nil {
		return problem.ErrRouteNotFound
	}
	owner, id := callerOf(r).ID, r.PathValue("id")
	if r.Method == http.MethodDelete {
		if err := s.subs.Delete(owner, id); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	st, err := s.subs.Get(owner, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, subscriptionOf(st))
	return nil
}
