package model

import "time"

// CallVersion is one version of a corrected call (电话回访更正). Once a call is corrected, every
// version — the first as recorded and each correction — has a row, with who made it, when and
// why; an uncorrected call's only version is the call row itself.
type CallVersion struct {
	ID          uint64    `gorm:"primaryKey"`
	CallID      uint64    `gorm:"not null;uniqueIndex:idx_call_versions,priority:1"`
	Version     int       `gorm:"not null;uniqueIndex:idx_call_versions,priority:2"`
	Outcome     string    `gorm:"size:16;not null"`
	AnswersJSON string    `gorm:"column:answers;type:text"`
	Note        string    `gorm:"size:1000;not null;default:''"`
	RecordedBy  uint64    `gorm:"not null"`
	RecordedAt  time.Time `gorm:"not null"`
	Reason      string    `gorm:"size:1000;not null;default:''"`
}

// CorrectCallRequest corrects a recorded call. Version is the version being corrected (stale → 409);
// fields left out keep their value. Reason is required from a manager correcting after the
// caller's 24 hours.
type CorrectCallRequest struct {
	Version int      `json:"version"`
	Outcome *string  `json:"outcome"`
	Answers *Answers `json:"answers"`
	Note    *string  `json:"note"`
	Reason  string   `json:"reason"`
}

// CallVersionResponse is one version of a call in the case history.
type CallVersionResponse struct {
	Version        int      `json:"version"`
	Outcome        string   `json:"outcome"`
	Answers        *Answers `json:"answers"`
	Note           string   `json:"note"`
	RecordedByID   ID       `json:"recorded_by_id,omitempty"`
	RecordedByName string   `json:"recorded_by_name,omitempty"`
	RecordedAt     Time     `json:"recorded_at"`
	Reason         string   `json:"reason"`
}

// CallHistoryItem is a call in a case's detail. Answers and notes are shown only to managers and
// the staff assigned to call or visit the case; versions hold every version once corrected.
type CallHistoryItem struct {
	ID           ID                    `json:"id"`
	CampaignID   ID                    `json:"campaign_id"`
	CalledAt     Time                  `json:"called_at"`
	Outcome      string                `json:"outcome"`
	OutcomeLabel string                `json:"outcome_label"`
	Answers      *Answers              `json:"answers"`
	Note         string                `json:"note"`
	DurationS    *int                  `json:"duration_s"`
	CallerID     ID                    `json:"caller_id,omitempty"` // empty for the handler and reviewers
	CallerName   string                `json:"caller_name,omitempty"`
	Late         bool                  `json:"late"`
	Flags        []string              `json:"flags"`
	Extra        bool                  `json:"extra"`
	Version      int                   `json:"version"`
	Versions     []CallVersionResponse `json:"versions"`
	CreatedAt    Time                  `json:"created_at"`
	// VisitCheck is what the field visits found of this call, when a visit compared it.
	VisitCheck *CallVisitCheck `json:"visit_check,omitempty"`
}

// Plausibility flag kinds (回访真实性提示), never blocking.
const (
	FlagShortCall       = "short_call"
	FlagIdenticalRun    = "identical_run"
	FlagLateBurst       = "late_burst"
	FlagVisitMismatches = "visit_mismatch"
)

// PlausibilityFlag is one pattern a manager may want to look at: the caller and the calls.
type PlausibilityFlag struct {
	Kind       string `json:"kind"`
	CallerID   ID     `json:"caller_id"`
	CallerName string `json:"caller_name"`
	CallIDs    []ID   `json:"call_ids"`
	Detail     string `json:"detail"`
	// VisitIDs name the visits of the visits' flags; Rate is visit_mismatch's share of the
	// caller's visited calls found inconsistent.
	VisitIDs []ID    `json:"visit_ids,omitempty"`
	Rate     float64 `json:"rate,omitempty"`
	// PhotoIDs name the photos of the same_photo flag.
	PhotoIDs []ID `json:"photo_ids,omitempty"`
}

// FlagList is a campaign's plausibility flags with the thresholds that raised them.
type FlagList struct {
	Items    []PlausibilityFlag `json:"items"`
	Total    int                `json:"total"`
	Settings FlagSettings       `json:"settings"`
}

// FlagSettings are the thresholds of the plausibility flags.
type FlagSettings struct {
	// MinReachedDurationS: a reached call with all answers shorter than this is flagged.
	MinReachedDurationS int `json:"min_reached_duration_s"`
	// IdenticalRun: this many consecutive reached calls of one caller with identical answers.
	IdenticalRun int `json:"identical_run"`
	// BurstSize calls received within BurstWindowMinutes, each at least BurstDelayHours after its
	// stated called_at, make a burst.
	BurstSize          int `json:"burst_size"`
	BurstWindowMinutes int `json:"burst_window_minutes"`
	BurstDelayHours    int `json:"burst_delay_hours"`
	// VisitDistanceM: a visit located farther than this from its recipient's town centroid.
	VisitDistanceM int `json:"visit_distance_m"`
}

// DefaultFlagSettings are the thresholds unless a manager asks for others.
func DefaultFlagSettings() FlagSettings {
	return FlagSettings{MinReachedDurationS: 30, IdenticalRun: 10, BurstSize: 10, BurstWindowMinutes: 10, BurstDelayHours: 24,
		VisitDistanceM: 10000}
}
