package procurement

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/govledger/govledger/chaincode/internal/validate"
)

func TestFileChallenge(t *testing.T) {
	tests := []struct {
		name     string
		supplier string
		grounds  string
		at       time.Time
		twice    bool
		field    string
		wantErr  error
	}{
		{name: "records a losing bidder's challenge", supplier: "SUP-A", grounds: "price score miscalculated", at: awardAt.Add(days(1))},
		{name: "rejects a challenge at the end of the window", supplier: "SUP-A", grounds: "g", at: awardAt.Add(days(7)), wantErr: ErrDeadline},
		{name: "rejects a challenge by the awarded supplier", supplier: "SUP-B", grounds: "g", at: awardAt, wantErr: ErrNotParticipant},
		{name: "rejects a challenge by a non-bidder", supplier: "SUP-Z", grounds: "g", at: awardAt, wantErr: ErrNotParticipant},
		{name: "rejects a second challenge to the same award", supplier: "SUP-A", grounds: "g", at: awardAt, twice: true, wantErr: ErrDuplicate},
		{name: "rejects a challenge without grounds", supplier: "SUP-A", at: awardAt, field: "grounds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := awarded(t)
			if tc.twice {
				_, err := FileChallenge(tn, tc.supplier, tc.grounds, tc.at)
				require.NoError(t, err)
			}
			c, err := FileChallenge(tn, tc.supplier, tc.grounds, tc.at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				return
			case tc.field != "":
				requireField(t, err, tc.field, validate.RuleRequired)
				return
			}
			require.NoError(t, err)
			require.Equal(t, Challenge{ID: "T-1-challenge-1", AwardID: "T-1-award-1", SupplierID: "SUP-A", Grounds: tc.grounds,
				FiledAt: tc.at, Status: ChallengeOpen}, *c)
			require.Equal(t, []Challenge{*c}, tn.Challenges)
		})
	}
	t.Run("rejects a challenge before any award", func(t *testing.T) {
		tn, _ := panel(t)
		_, err := FileChallenge(tn, "SUP-A", "g", awardAt)
		require.ErrorIs(t, err, ErrTransition)
	})
}

func TestResolveChallenge(t *testing.T) {
	filed := func(t *testing.T) *Tender {
		t.Helper()
		tn, bids, decls, scores := scored(t)
		// A third bidder would make a second challenge possible; fake one on the opening.
		tn.Opening.Bidders = append(tn.Opening.Bidders, "SUP-C")
		bids = append(bids, Bid{TenderID: "T-1", SupplierID: "SUP-C", Status: BidRevealed, Price: Money{99_000_000, "EUR"}, CommittedAt: t0})
		for _, d := range decls {
			scores = append(scores, Score{TenderID: "T-1", EvaluatorID: d.EvaluatorID, SupplierID: "SUP-C", Version: 1,
				Scores: []CriterionScore{{"delivery", 1}, {"quality", 1}}})
		}
		_, _, err := MakeAward(DefaultConfig(), tn, AwardInput{Bids: bids, Declarations: decls, Scores: scores}, awardAt)
		require.NoError(t, err)
		_, err = FileChallenge(tn, "SUP-A", "ranking wrong", awardAt.Add(days(1)))
		require.NoError(t, err)
		_, err = FileChallenge(tn, "SUP-C", "bias", awardAt.Add(days(2)))
		require.NoError(t, err)
		return tn
	}
	at := awardAt.Add(days(3))
	tests := []struct {
		name       string
		id         string
		outcome    ChallengeOutcome
		resolution string
		field      string
		rule       string
		wantErr    error
	}{
		{name: "dismisses a challenge and keeps the award", id: "T-1-challenge-1", outcome: OutcomeDismissed, resolution: "scores checked"},
		{name: "upholds a challenge, cancels the award and supersedes the others", id: "T-1-challenge-1", outcome: OutcomeUpheld,
			resolution: "arithmetic error"},
		{name: "rejects an unknown outcome", id: "T-1-challenge-1", outcome: "settled", resolution: "r",
			field: "outcome", rule: validate.RuleOneOf},
		{name: "rejects an unknown challenge", id: "T-1-challenge-9", outcome: OutcomeDismissed, resolution: "r", wantErr: ErrNotFound},
		{name: "rejects a missing resolution", id: "T-1-challenge-1", outcome: OutcomeDismissed,
			field: "resolution", rule: validate.RuleRequired},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tn := filed(t)
			c, err := ResolveChallenge(tn, tc.id, tc.outcome, tc.resolution, at)
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
				return
			case tc.field != "":
				requireField(t, err, tc.field, tc.rule)
				return
			}
			require.NoError(t, err)
			require.Equal(t, at, c.ResolvedAt)
			require.Equal(t, tc.resolution, c.Resolution)
			if tc.outcome == OutcomeDismissed {
				require.Equal(t, ChallengeDismissed, c.Status)
				require.Equal(t, StatusAwarded, tn.Status)
				require.Equal(t, ChallengeOpen, tn.Challenges[1].Status)
				return
			}
			require.Equal(t, ChallengeUpheld, c.Status)
			require.Equal(t, StatusEvaluation, tn.Status)
			require.Nil(t, tn.CurrentAward())
			require.Equal(t, AwardCancelled, tn.Awards[0].Status)
			require.Equal(t, ChallengeSuperseded, tn.Challenges[1].Status)
			require.Contains(t, tn.Challenges[1].Resolution, "T-1-challenge-1")
		})
	}
	t.Run("rejects resolving a challenge twice", func(t *testing.T) {
		tn := filed(t)
		_, err := ResolveChallenge(tn, "T-1-challenge-1", OutcomeDismissed, "no", at)
		require.NoError(t, err)
		_, err = ResolveChallenge(tn, "T-1-challenge-1", OutcomeDismissed, "no", at)
		require.ErrorIs(t, err, ErrDuplicate)
	})
	t.Run("rejects resolving when no award stands", func(t *testing.T) {
		tn := filed(t)
		_, err := ResolveChallenge(tn, "T-1-challenge-1", OutcomeUpheld, "yes", at)
		require.NoError(t, err)
		_, err = ResolveChallenge(tn, "T-1-challenge-2", OutcomeDismissed, "no", at)
		require.ErrorIs(t, err, ErrTransition)
	})
}
