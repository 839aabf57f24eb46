package service

import (
	"encoding/json"
	"errors"

	"gorm.io/gorm"

	"fayuan/model"
)

// verifiedFields are the answers a visit checks against the phone: the three closed questions.
// Suggestions are free text and differ in wording every time; who answered is not a finding.
var verifiedFields = []struct {
	name string
	get  func(*model.Answers) *string
}{
	{"charged_fee", func(a *model.Answers) *string { return a.ChargedFee }},
	{"negligent", func(a *model.Answers) *string { return a.Negligent }},
	{"satisfied", func(a *model.Answers) *string { return a.Satisfied }},
}

// verify fills v's verification by comparing its answers with the case's reached call in the
// campaign — the first one, which fills the registration form — as it stands now (a corrected
// call is compared in its latest version).
func (s *Visits) verify(tx *gorm.DB, v *model.Visit, visit *model.Answers) error {
	var call model.Call
	err := tx.Where("campaign_id = ? AND case_id = ? AND outcome = ?", v.CampaignID, v.CaseID, model.OutcomeReached).
		Order("called_at, id").Take(&call).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		v.Verification, v.Differences = model.VerificationNotReachedByPhone, "[]"
		return nil
	}
	if err != nil {
		return err
	}
	diffs := compareAnswers(callAnswers(&call), visit)
	v.CallID = &call.ID
	v.Verification = model.VerificationConsistent
	if len(diffs) > 0 {
		v.Verification = model.VerificationInconsistent
	}
	b, _ := json.Marshal(diffs)
	v.Differences = string(b)
	return nil
}

// compareAnswers lists the verified answers that differ between the phone and the visit.
func compareAnswers(phone, visit *model.Answers) []model.VisitDifference {
	diffs := []model.VisitDifference{}
	if phone == nil {
		phone = &model.Answers{}
	}
	for _, f := range verifiedFields {
		p, q := model.Str(f.get(phone)), model.Str(f.get(visit))
		if p != q {
			diffs = append(diffs, model.VisitDifference{Field: f.name, Phone: p, Visit: q})
		}
	}
	return diffs
}

func visitDifferences(s string) []model.VisitDifference {
	out := []model.VisitDifference{}
	if s != "" {
		_ = json.Unmarshal([]byte(s), &out)
	}
	return out
}

// response converts a visit with its participants' and visitor's names.
func (s *Visits) response(db *gorm.DB, v *model.Visit) (*model.VisitResponse, error) {
	var parts []model.VisitParticipant
	if err := db.Where("visit_id = ?", v.ID).Order("id").Find(&parts).Error; err != nil {
		return nil, err
	}
	names := map[uint64]string{v.UserID: ""}
	for _, p := range parts {
		if p.UserID != nil {
			names[*p.UserID] = ""
		}
	}
	if err := displayNames(db, names); err != nil {
		return nil, err
	}
	return visitResponse(v, parts, names), nil
}

// visitResponse builds the wire form from loaded rows; names maps user ids to display names.
func visitResponse(v *model.Visit, parts []model.VisitParticipant, names map[uint64]string) *model.VisitResponse {
	r := &model.VisitResponse{ID: model.ID(v.ID), ClientID: v.ClientID, CampaignID: model.ID(v.CampaignID), CaseID: model.ID(v.CaseID),
		VisitorID: model.ID(v.UserID), VisitorName: names[v.UserID], VisitedAt: model.NewTime(v.VisitedAt),
		ReceivedAt: model.NewTime(v.CreatedAt), Participants: []model.VisitParticipantResponse{},
		Answers: callAnswers(&model.Call{AnswersJSON: v.AnswersJSON}), Verification: v.Verification,
		VerificationLabel: model.VerificationLabels[v.Verification], VerificationClaimed: v.VerificationClaimed,
		Differences: visitDifferences(v.Differences), Suggestions: v.Suggestions, Note: v.Note, Late: v.Late,
		Flags: splitFlags(v.Flags)}
	if v.CallID != nil {
		id := model.ID(*v.CallID)
		r.CallID = &id
	}
	if v.Lat != nil && v.Lng != nil {
		r.Location = &model.VisitLocation{Lat: v.Lat, Lng: v.Lng, Accuracy: v.Accuracy, CoordType: v.CoordType, Address: v.Address}
	}
	for _, p := range parts {
		pr := model.VisitParticipantResponse{Name: p.Name}
		if p.UserID != nil {
			id := model.ID(*p.UserID)
			pr.UserID, pr.Name = &id, names[*p.UserID]
		}
		r.Participants = append(r.Participants, pr)
	}
	return r
}
