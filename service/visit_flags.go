package service

import (
	"fmt"
	"math"
	"slices"

	"gorm.io/gorm"

	"fayuan/internal/towns"
	"fayuan/model"
)

// CallFlags adds the visits' plausibility flags to the campaign's list (Calls.AddFlagSource):
// each caller's rate of visited calls the visits found inconsistent, and per visitor the visits
// located far from the recipient's town, uploaded long after they happened, dated in the
// future, or whose verification the visitor disputed. Never blocking.
func (s *Visits) CallFlags(tx *gorm.DB, campaignID uint64, st model.FlagSettings) ([]model.PlausibilityFlag, error) {
	out, err := mismatchRates(tx, campaignID)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID        uint64
		UserID    uint64
		Lat       *float64
		Lng       *float64
		CoordType string
		Flags     string
		Town      string
	}
	if err := tx.Table("visits v").Joins("JOIN cases c ON c.id = v.case_id").
		Select("v.id, v.user_id, v.lat, v.lng, v.coord_type, v.flags, c.town").
		Where("v.campaign_id = ?", campaignID).Order("v.user_id, v.visited_at, v.id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	type key struct {
		kind string
		user uint64
	}
	byKey := map[key][]model.ID{}
	var keys []key
	add := func(kind string, user, id uint64) {
		k := key{kind, user}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], model.ID(id))
	}
	for _, r := range rows {
		if r.Lat != nil && r.Lng != nil {
			if d, ok := distanceFromTown(*r.Lat, *r.Lng, r.CoordType, r.Town); ok && d > float64(st.VisitDistanceM) {
				add(model.FlagVisitFar, r.UserID, r.ID)
			}
		}
		for _, f := range splitFlags(r.Flags) {
			switch f {
			case FlagStaleUpload:
				add(model.FlagVisitStaleUpload, r.UserID, r.ID)
			case FlagFutureTime:
				add(model.FlagVisitFutureTime, r.UserID, r.ID)
			case model.FlagVerificationDisputed:
				add(model.FlagVerificationDisputed, r.UserID, r.ID)
			}
		}
	}
	detail := map[string]string{
		model.FlagVisitFar:             "%d 次走访的定位距受援人所在乡镇中心超过 " + fmt.Sprintf("%.1f", float64(st.VisitDistanceM)/1000) + " 公里",
		model.FlagVisitStaleUpload:     "%d 次走访记录上传时间远晚于所填走访时间",
		model.FlagVisitFutureTime:      "%d 次走访所填时间晚于服务器收到记录的时间",
		model.FlagVerificationDisputed: "%d 次走访人填写的核实结论与系统比对结果不同",
	}
	for _, k := range keys {
		ids := byKey[k]
		out = append(out, model.PlausibilityFlag{Kind: k.kind, CallerID: model.ID(k.user), CallIDs: []model.ID{}, VisitIDs: ids,
			Detail: fmt.Sprintf(detail[k.kind], len(ids))})
	}
	return out, nil
}

// distanceFromTown is how far (metres, WGS-84) a visit's location lies from its recipient's
// town centroid; false when the town is not known. GCJ-02 points are converted to WGS-84 first
// (the two differ by a few hundred metres here), so the threshold measures real distance.
func distanceFromTown(lat, lng float64, coordType, town string) (float64, bool) {
	t, ok := towns.Lookup(town)
	if !ok {
		return 0, false
	}
	if coordType == model.CoordGCJ02 {
		lat, lng = towns.GCJ02ToWGS84(lat, lng)
	}
	return towns.DistanceM(lat, lng, t.Lat, t.Lng), true
}

// mismatchRates flags each caller with at least one call a visit found inconsistent, giving the
// share of their visited calls (calls some visit compared) found inconsistent by any visit.
func mismatchRates(tx *gorm.DB, campaignID uint64) ([]model.PlausibilityFlag, error) {
	var rows []struct {
		CallID       uint64
		Caller       uint64
		Verification string
	}
	if err := tx.Table("visits v").Joins("JOIN calls k ON k.id = v.call_id").
		Select("v.call_id, k.user_id AS caller, v.verification").
		Where("v.campaign_id = ? AND v.verification IN ?", campaignID,
			[]string{model.VerificationConsistent, model.VerificationInconsistent}).
		Order("k.user_id, v.call_id").Scan(&rows).Error; err != nil {
		return nil, err
	}
	checked := map[uint64]map[uint64]bool{} // caller → call → inconsistent
	var callers []uint64
	for _, r := range rows {
		if checked[r.Caller] == nil {
			checked[r.Caller] = map[uint64]bool{}
			callers = append(callers, r.Caller)
		}
		checked[r.Caller][r.CallID] = checked[r.Caller][r.CallID] || r.Verification == model.VerificationInconsistent
	}
	var out []model.PlausibilityFlag
	for _, c := range callers {
		var bad []uint64
		for id, inconsistent := range checked[c] {
			if inconsistent {
				bad = append(bad, id)
			}
		}
		if len(bad) == 0 {
			continue
		}
		slices.Sort(bad)
		ids := make([]model.ID, len(bad))
		for i, id := range bad {
			ids[i] = model.ID(id)
		}
		rate := float64(len(bad)) / float64(len(checked[c]))
		out = append(out, model.PlausibilityFlag{Kind: model.FlagVisitMismatches, CallerID: model.ID(c), CallIDs: ids,
			Rate:   math.Round(rate*10000) / 10000,
			Detail: fmt.Sprintf("走访核实的 %d 次电话回访中 %d 次与当面回答不一致（%.0f%%）", len(checked[c]), len(bad), rate*100)})
	}
	return out, nil
}
