package service

import (
	"context"
	"fmt"
	"sort"
	"time"

	"gorm.io/gorm"

	"fayuan/model"
)

// FlagSource is another feature's plausibility check on a campaign's calls — the visits will add
// each caller's rate of calls a visit found inconsistent. Register it with AddFlagSource.
type FlagSource interface {
	CallFlags(tx *gorm.DB, campaignID uint64, st model.FlagSettings) ([]model.PlausibilityFlag, error)
}

// AddFlagSource registers more plausibility checks.
func (s *Calls) AddFlagSource(f ...FlagSource) { s.flagSources = append(s.flagSources, f...) }

// flagCall is what the checks read of a call.
type flagCall struct {
	ID          uint64
	UserID      uint64
	CalledAt    time.Time
	CreatedAt   time.Time
	Outcome     string
	AnswersJSON string `gorm:"column:answers"`
	DurationS   *int
}

// Flags lists a campaign's plausibility flags for a manager: never blocking, computed afresh
// from the calls each time. Each flag names the caller and the calls.
func (s *Calls) Flags(ctx context.Context, by model.Actor, campaignID model.ID, st model.FlagSettings) (*model.FlagList, error) {
	if !by.Is(model.RoleManager) {
		return nil, model.ErrRoleForbidden
	}
	db := s.db.WithContext(ctx)
	if _, err := visibleCampaign(db, by, uint64(campaignID)); err != nil {
		return nil, err
	}
	var calls []flagCall
	if err := db.Model(&model.Call{}).Select("id, user_id, called_at, created_at, outcome, answers, duration_s").
		Where("campaign_id = ?", uint64(campaignID)).Order("user_id, called_at, id").Scan(&calls).Error; err != nil {
		return nil, err
	}
	var flags []model.PlausibilityFlag
	flags = append(flags, shortCalls(calls, st)...)
	flags = append(flags, identicalRuns(calls, st)...)
	flags = append(flags, lateBursts(calls, st)...)
	for _, src := range s.flagSources {
		more, err := src.CallFlags(db, uint64(campaignID), st)
		if err != nil {
			return nil, err
		}
		flags = append(flags, more...)
	}
	names := map[uint64]string{}
	for _, f := range flags {
		names[uint64(f.CallerID)] = ""
	}
	if err := displayNames(db, names); err != nil {
		return nil, err
	}
	for i := range flags {
		flags[i].CallerName = names[uint64(flags[i].CallerID)]
	}
	if flags == nil {
		flags = []model.PlausibilityFlag{}
	}
	return &model.FlagList{Items: flags, Total: len(flags), Settings: st}, nil
}

// shortCalls flags, per caller, the reached calls with all their answers that lasted under the
// minimum: four questions cannot be asked and answered that fast.
func shortCalls(calls []flagCall, st model.FlagSettings) []model.PlausibilityFlag {
	var out []model.PlausibilityFlag
	byUser := map[uint64][]model.ID{}
	var users []uint64
	for _, c := range calls {
		a := callAnswers(&model.Call{AnswersJSON: c.AnswersJSON})
		if c.Outcome != model.OutcomeReached || a == nil || len(a.Problems("")) > 0 || c.DurationS == nil || *c.DurationS >= st.MinReachedDurationS {
			continue
		}
		if byUser[c.UserID] == nil {
			users = append(users, c.UserID)
		}
		byUser[c.UserID] = append(byUser[c.UserID], model.ID(c.ID))
	}
	for _, u := range users {
		out = append(out, model.PlausibilityFlag{Kind: model.FlagShortCall, CallerID: model.ID(u), CallIDs: byUser[u],
			Detail: fmt.Sprintf("%d 次接通并完成回访的通话时长不足 %d 秒", len(byUser[u]), st.MinReachedDurationS)})
	}
	return out
}

// identicalRuns flags each run of at least IdenticalRun consecutive reached calls of one caller
// (in call time order) whose four answers are identical. calls are ordered by caller and time.
func identicalRuns(calls []flagCall, st model.FlagSettings) []model.PlausibilityFlag {
	var out []model.PlausibilityFlag
	var run []model.ID
	var runUser uint64
	runKey := ""
	flush := func() {
		if len(run) >= st.IdenticalRun {
			out = append(out, model.PlausibilityFlag{Kind: model.FlagIdenticalRun, CallerID: model.ID(runUser), CallIDs: run,
				Detail: fmt.Sprintf("连续 %d 次接通的回访四个问题回答完全相同", len(run))})
		}
		run, runKey = nil, ""
	}
	for _, c := range calls {
		if c.Outcome != model.OutcomeReached {
			continue // attempts that reached nobody do not break a run
		}
		a := callAnswers(&model.Call{AnswersJSON: c.AnswersJSON})
		if a == nil {
			continue
		}
		key := model.Str(a.ChargedFee) + "\x00" + model.Str(a.Negligent) + "\x00" + model.Str(a.Satisfied) + "\x00" + model.Str(a.Suggestion)
		if c.UserID != runUser || key != runKey {
			flush()
			runUser, runKey = c.UserID, key
		}
		run = append(run, model.ID(c.ID))
	}
	flush()
	return out
}

// lateBursts flags, per caller, at least BurstSize calls received within BurstWindowMinutes of
// each other, each at least BurstDelayHours after its stated call time: records written up in
// one sitting long after the calls they claim.
func lateBursts(calls []flagCall, st model.FlagSettings) []model.PlausibilityFlag {
	delay := time.Duration(st.BurstDelayHours) * time.Hour
	window := time.Duration(st.BurstWindowMinutes) * time.Minute
	late := map[uint64][]flagCall{}
	var users []uint64
	for _, c := range calls {
		if c.CreatedAt.Sub(c.CalledAt) < delay {
			continue
		}
		if late[c.UserID] == nil {
			users = append(users, c.UserID)
		}
		late[c.UserID] = append(late[c.UserID], c)
	}
	var out []model.PlausibilityFlag
	for _, u := range users {
		cs := late[u]
		sort.Slice(cs, func(i, j int) bool {
			return cs[i].CreatedAt.Before(cs[j].CreatedAt) || cs[i].CreatedAt.Equal(cs[j].CreatedAt) && cs[i].ID < cs[j].ID
		})
		for i := 0; i < len(cs); {
			j := i
			for j < len(cs) && cs[j].CreatedAt.Sub(cs[i].CreatedAt) <= window {
				j++
			}
			if j-i < st.BurstSize {
				i++
				continue
			}
			// Extend the burst while each next call is within the window of the previous one.
			for j < len(cs) && cs[j].CreatedAt.Sub(cs[j-1].CreatedAt) <= window {
				j++
			}
			ids := make([]model.ID, 0, j-i)
			for _, c := range cs[i:j] {
				ids = append(ids, model.ID(c.ID))
			}
			out = append(out, model.PlausibilityFlag{Kind: model.FlagLateBurst, CallerID: model.ID(u), CallIDs: ids,
				Detail: fmt.Sprintf("%d 条记录在 %s 集中上传，均晚于所填通话时间 %d 小时以上", len(ids),
					cs[i].CreatedAt.In(model.Shanghai).Format("2006-01-02 15:04"), st.BurstDelayHours)})
			i = j
		}
	}
	return out
}
