package model

import "time"

// Verification of a visit against the phone follow-up (回访核实): what the recipient said face to
// face compared with the case's reached call in the same campaign.
const (
	VerificationConsistent        = "consistent"
	VerificationInconsistent      = "inconsistent"
	VerificationNotReachedByPhone = "not_reached_by_phone"
)

// Coordinate systems of a visit's location.
const (
	CoordWGS84 = "wgs84"
	CoordGCJ02 = "gcj02"
)

// AssignmentVisited is a visits-phase case with at least one recorded visit.
const AssignmentVisited = "visited"

// Flags on a visit and plausibility flag kinds of the visits (never blocking).
const (
	FlagVerificationDisputed = "verification_disputed" // the visitor's claim differs from the server's comparison
	FlagVisitFar             = "visit_far"
	FlagVisitStaleUpload     = "visit_stale_upload"
	FlagVisitFutureTime      = "visit_future_time"
)

// VisitDeleteWindow is how long the visitor may delete their own visit; later only a manager.
const VisitDeleteWindow = 24 * time.Hour

// VerificationLabels are the Chinese words for each verification.
var VerificationLabels = map[string]string{VerificationConsistent: "一致",
	VerificationInconsistent: "不一致", VerificationNotReachedByPhone: "电话未回访成功"}

// Visit is one field visit (进村入户) to a case's recipient. ClientID is the phone's UUID, unique
// per visitor in this table, so a record retried from a weak signal stores one row. Verification
// is the server's comparison with the phone answers (CallID is the call compared);
// VerificationClaimed is what the visitor asserted, if anything, kept even when it disagrees.
type Visit struct {
	ID                  uint64    `gorm:"primaryKey"`
	CampaignID          uint64    `gorm:"not null;index:idx_visits_case,priority:1"`
	CaseID              uint64    `gorm:"not null;index:idx_visits_case,priority:2"`
	UserID              uint64    `gorm:"not null;uniqueIndex:idx_visits_client,priority:1"`
	ClientID            string    `gorm:"size:36;not null;uniqueIndex:idx_visits_client,priority:2"`
	BodyHash            string    `gorm:"size:64;not null"`
	VisitedAt           time.Time `gorm:"not null;index:idx_visits_case,priority:3"`
	Lat                 *float64
	Lng                 *float64
	Accuracy            *float64
	CoordType           string    `gorm:"size:8;not null;default:''"`
	Address             string    `gorm:"size:255;not null;default:''"`
	AnswersJSON         string    `gorm:"column:answers;type:text"`
	Verification        string    `gorm:"size:24;not null;default:''"`
	VerificationClaimed string    `gorm:"size:24;not null;default:''"`
	Differences         string    `gorm:"type:text"` // JSON list of VisitDifference
	CallID              *uint64   `gorm:"index"`
	Suggestions         string    `gorm:"size:2000;not null;default:''"`
	Note                string    `gorm:"size:1000;not null;default:''"`
	Late                bool      `gorm:"not null;default:false"`
	Flags               string    `gorm:"size:255;not null;default:''"` // comma-separated
	CreatedAt           time.Time `gorm:"not null"`                     // the server's receive time
}

// VisitParticipant is a person who went on the visit besides the visitor: a staff account, or a
// township cadre (司法所干部, 村干部) named in free text.
type VisitParticipant struct {
	ID      uint64  `gorm:"primaryKey"`
	VisitID uint64  `gorm:"not null;index"`
	UserID  *uint64 `gorm:"index"`
	Name    string  `gorm:"size:64;not null;default:''"`
}

// VisitLocation is where the visit happened, as the phone reported it. CoordType is kept as sent
// and the coordinates are never converted: WGS-84 (GPS) and GCJ-02 (the maps used in China)
// differ by a few hundred metres.
type VisitLocation struct {
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	Accuracy  *float64 `json:"accuracy"`
	CoordType string   `json:"coord_type"`
	Address   string   `json:"address"`
}

// VisitParticipants are the people on the visit besides the visitor.
type VisitParticipants struct {
	StaffIDs []ID     `json:"staff_ids"`
	Cadres   []string `json:"cadres"`
}

// RecordVisitRequest is one visit as the phone uploads it.
type RecordVisitRequest struct {
	ClientID     string             `json:"client_id"`
	VisitedAt    *Time              `json:"visited_at"`
	Location     *VisitLocation     `json:"location"`
	Participants *VisitParticipants `json:"participants"`
	Answers      *Answers           `json:"answers"`
	// Verification is the visitor's own conclusion, optional; the server computes its own.
	Verification string `json:"verification"`
	Suggestions  string `json:"suggestions"`
	Note         string `json:"note"`
}

// VisitDifference is one answer the visit heard differently from the phone.
type VisitDifference struct {
	Field string `json:"field"`
	Phone string `json:"phone"`
	Visit string `json:"visit"`
}

// VisitParticipantResponse is a participant on the wire: an account (id and name) or a cadre's name.
type VisitParticipantResponse struct {
	UserID *ID    `json:"user_id,omitempty"`
	Name   string `json:"name"`
}

// VisitResponse is a visit on the wire.
type VisitResponse struct {
	ID                  ID                         `json:"id"`
	ClientID            string                     `json:"client_id"`
	CampaignID          ID                         `json:"campaign_id"`
	CaseID              ID                         `json:"case_id"`
	VisitorID           ID                         `json:"visitor_id,omitempty"`
	VisitorName         string                     `json:"visitor_name,omitempty"`
	VisitedAt           Time                       `json:"visited_at"`
	ReceivedAt          Time                       `json:"received_at"`
	Location            *VisitLocation             `json:"location"`
	Participants        []VisitParticipantResponse `json:"participants"`
	Answers             *Answers                   `json:"answers"`
	Verification        string                     `json:"verification"`
	VerificationLabel   string                     `json:"verification_label"`
	VerificationClaimed string                     `json:"verification_claimed,omitempty"`
	Differences         []VisitDifference          `json:"differences"`
	CallID              *ID                        `json:"call_id"`
	Suggestions         string                     `json:"suggestions"`
	Note                string                     `json:"note"`
	Late                bool                       `json:"late"`
	Flags               []string                   `json:"flags"`
}

// CallVisitCheck is what the visits found of a call: shown on the call in a case's history.
type CallVisitCheck struct {
	Verification string            `json:"verification"`
	VisitIDs     []ID              `json:"visit_ids"`
	Differences  []VisitDifference `json:"differences"`
}
