package model

// PhaseProgress is one phase's figures. Target, Met, ProjectedRate and BehindPace are set for
// the calls phase only: the notice sets no target for visits or reviews.
type PhaseProgress struct {
	Phase    Phase    `json:"phase"`
	Start    string   `json:"start"`
	End      string   `json:"end"`
	InScope  int64    `json:"in_scope"`
	Done     int64    `json:"done"`
	Rate     float64  `json:"rate"`
	Target   *float64 `json:"target"`
	DaysLeft int      `json:"days_left"`
	Met      *bool    `json:"met"`
	// ProjectedRate is the rate at the phase end if the pace so far holds, capped at 1.
	ProjectedRate *float64 `json:"projected_rate"`
	BehindPace    *bool    `json:"behind_pace"`
	// Excluded, AdjustedRate and ReachedAny belong to the calls phase.
	Excluded     int64    `json:"excluded"`
	AdjustedRate *float64 `json:"adjusted_rate"`
	ReachedAny   int64    `json:"reached_any"`
	// Assigned is how many of the phase's cases someone holds.
	Assigned int64 `json:"assigned"`
}

// ProgressGroup is the calls phase's figures for one organisation, staff member or town.
type ProgressGroup struct {
	ID            *ID     `json:"id"`
	Name          string  `json:"name"`
	InScope       int64   `json:"in_scope"`
	Done          int64   `json:"done"`
	Excluded      int64   `json:"excluded"`
	Rate          float64 `json:"rate"`
	ProjectedRate float64 `json:"projected_rate"`
	BehindPace    bool    `json:"behind_pace"`
}

// StaffProgress is a staff member's calls: the cases assigned to them and those reached.
type StaffProgress struct {
	StaffID       ID      `json:"staff_id"`
	Name          string  `json:"name"`
	Assigned      int64   `json:"assigned"`
	Reached       int64   `json:"reached"`
	Rate          float64 `json:"rate"`
	ProjectedRate float64 `json:"projected_rate"`
	BehindPace    bool    `json:"behind_pace"`
}

// Progress is a campaign's progress as the raw records say it at AsOf.
type Progress struct {
	CampaignID ID              `json:"campaign_id"`
	Phases     []PhaseProgress `json:"phases"`
	ByOrg      []ProgressGroup `json:"by_org"`
	ByStaff    []StaffProgress `json:"by_staff"`
	ByTown     []ProgressGroup `json:"by_town"`
	AsOf       Time            `json:"as_of"`
}
