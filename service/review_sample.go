package service

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"hash/fnv"
	mrand "math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"fayuan/model"
)

// Sampling draws the files to review from the review scope: all, a percentage of each stratum
// (category × source, so a small category is not left out), or the listed case numbers. A
// drawing depends only on the seed and the scope's cases, so it can be redone and checked.

const (
	sampleAll     = "all"
	samplePercent = "percent"
	sampleCaseNos = "case_nos"
	maxSeed       = 1 << 53 // seeds stay exact as JSON numbers
)

type scopeCase struct {
	ID       uint64
	CaseNo   string
	Category model.Category
	Source   model.Source
}

// Sample draws files for a campaign (manager). Audited.
func (s *Reviews) Sample(ctx context.Context, by model.Actor, campaignID model.ID, req model.SampleRequest) (*model.SampleResponse, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	if err := checkSample(&req); err != nil {
		return nil, err
	}
	var out *model.SampleResponse
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var c model.Campaign
		if err := lockCampaign(tx, uint64(campaignID), &c); err != nil {
			return err
		}
		var err error
		out, err = s.sample(tx, by, &c, req)
		return err
	})
	return out, err
}

func checkSample(req *model.SampleRequest) error {
	modes := 0
	if req.All {
		modes++
	}
	if req.Percent != nil {
		modes++
		if *req.Percent < 1 || *req.Percent > 100 {
			return model.InvalidField("sample.percent", "抽查比例应为 1–100")
		}
	}
	if req.CaseNos != nil {
		modes++
		if len(req.CaseNos) == 0 || len(req.CaseNos) > maxExplicitCases {
			return model.InvalidField("sample.case_nos", "请列出 1–"+strconv.Itoa(maxExplicitCases)+" 个案号")
		}
	}
	if modes != 1 {
		return model.InvalidField("sample", "请只选一种抽查方式：all、percent 或 case_nos")
	}
	if req.Seed != nil && (*req.Seed < 1 || *req.Seed >= maxSeed) {
		return model.InvalidField("sample.seed", "随机种子应为 1 至 2^53−1 的整数")
	}
	return nil
}

// sample draws inside the caller's transaction (the campaign row locked) and adds the picked
// files not yet sampled.
func (s *Reviews) sample(tx *gorm.DB, by model.Actor, c *model.Campaign, req model.SampleRequest) (*model.SampleResponse, error) {
	var cases []scopeCase
	if err := phaseCases(tx, c, model.PhaseReviews).Select("cases.id, cases.case_no, cases.category, cases.source").
		Order("cases.id").Scan(&cases).Error; err != nil {
		return nil, err
	}
	seed := int64(0)
	if req.Seed != nil {
		seed = *req.Seed
	} else {
		var b [8]byte
		_, _ = rand.Read(b[:])
		seed = int64(binary.LittleEndian.Uint64(b[:])%(maxSeed-1)) + 1
	}
	row := model.ReviewSample{CampaignID: c.ID, Seed: seed, Mode: sampleAll, CreatedBy: by.UserID, CreatedAt: s.clock.Now()}
	var picked []scopeCase
	var strata []model.Stratum
	switch {
	case req.Percent != nil:
		row.Mode, row.Percent = samplePercent, *req.Percent
		picked, strata = drawStratified(cases, seed, *req.Percent)
	case req.CaseNos != nil:
		row.Mode = sampleCaseNos
		byNo := map[string]scopeCase{}
		for _, k := range cases {
			byNo[k.CaseNo] = k
		}
		var missing []string
		seen := map[string]bool{}
		for _, no := range req.CaseNos {
			no = strings.TrimSpace(no)
			k, ok := byNo[no]
			switch {
			case !ok:
				missing = append(missing, no)
			case !seen[no]:
				seen[no] = true
				picked = append(picked, k)
			}
		}
		if len(missing) > 0 {
			return nil, model.InvalidField("sample.case_nos", "以下案号不存在或不在评查范围内："+strings.Join(missing, "、"))
		}
		row.CaseNos = strings.Join(req.CaseNos, ",")
		_, strata = drawStratified(cases, seed, 100)
	default:
		picked, strata = drawStratified(cases, seed, 100)
	}
	pickedIn := map[[2]string]int{}
	for _, k := range picked {
		pickedIn[[2]string{string(k.Category), string(k.Source)}]++
	}
	for i := range strata {
		strata[i].Picked = pickedIn[[2]string{string(strata[i].Category), string(strata[i].Source)}]
	}
	row.Picked = len(picked)
	if err := tx.Create(&row).Error; err != nil {
		return nil, err
	}
	now := s.clock.Now()
	files := make([]model.ReviewFile, 0, len(picked))
	out := &model.SampleResponse{ID: model.ID(row.ID), Mode: row.Mode, Seed: seed, Percent: row.Percent, InScope: len(cases),
		Picked: len(picked), CaseIDs: []model.ID{}, Strata: strata}
	for _, k := range picked {
		files = append(files, model.ReviewFile{CampaignID: c.ID, CaseID: k.ID, SampleID: row.ID, Status: model.FileSampled,
			Version: 1, CreatedAt: now, UpdatedAt: now})
		out.CaseIDs = append(out.CaseIDs, model.ID(k.ID))
	}
	if len(files) > 0 {
		if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&files, 500).Error; err != nil {
			return nil, err
		}
	}
	var added int64
	if err := tx.Model(&model.ReviewFile{}).Where("sample_id = ?", row.ID).Count(&added).Error; err != nil {
		return nil, err
	}
	out.Added = int(added)
	return out, s.audit.Record(tx, by, Entry{Action: "review.sample", ObjectType: "campaign", ObjectID: c.ID,
		After:  map[string]any{"sample_id": row.ID, "mode": row.Mode, "seed": seed, "percent": row.Percent, "picked": len(picked), "added": added},
		Reason: row.Mode + " seed " + strconv.FormatInt(seed, 10)})
}

// drawStratified picks percent of each category × source stratum (half up, at least one of a
// non-empty stratum), each stratum shuffled by its own generator seeded from seed and the
// stratum's name: the same seed and the same cases give the same files. cases are in id order.
func drawStratified(cases []scopeCase, seed int64, percent int) ([]scopeCase, []model.Stratum) {
	groups := map[[2]string][]scopeCase{}
	var keys [][2]string
	for _, k := range cases {
		key := [2]string{string(k.Category), string(k.Source)}
		if groups[key] == nil {
			keys = append(keys, key)
		}
		groups[key] = append(groups[key], k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+"/"+keys[i][1] < keys[j][0]+"/"+keys[j][1] })
	var picked []scopeCase
	strata := []model.Stratum{}
	for _, key := range keys {
		g := groups[key]
		n := (len(g)*percent + 50) / 100
		if n == 0 {
			n = 1
		}
		h := fnv.New64a()
		_, _ = h.Write([]byte(key[0] + "/" + key[1]))
		r := mrand.New(mrand.NewPCG(uint64(seed), h.Sum64()))
		perm := r.Perm(len(g))
		chosen := make([]scopeCase, 0, n)
		for _, i := range perm[:n] {
			chosen = append(chosen, g[i])
		}
		sort.Slice(chosen, func(i, j int) bool { return chosen[i].ID < chosen[j].ID })
		picked = append(picked, chosen...)
		strata = append(strata, model.Stratum{Category: model.Category(key[0]), Source: model.Source(key[1]), InScope: len(g)})
	}
	return picked, strata
}
