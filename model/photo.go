package model

import "time"

// Photo is one photo of a field visit. The file itself (metadata removed) is in the storage
// under StorageKey; its thumbnail under ThumbKey once made.
type Photo struct {
	ID          uint64   `gorm:"primaryKey"`
	VisitID     uint64   `gorm:"not null;index"`
	CampaignID  uint64   `gorm:"not null;index:idx_photos_campaign_hash,priority:1"`
	CaseID      uint64   `gorm:"not null;index"`
	UserID      uint64   `gorm:"not null;uniqueIndex:idx_photos_client,priority:1"`
	ClientID    string   `gorm:"size:36;not null;uniqueIndex:idx_photos_client,priority:2"`
	SHA256      string   `gorm:"column:sha256;size:64;not null;index:idx_photos_campaign_hash,priority:2"`
	Type        string   `gorm:"size:8;not null"`
	Size        int64    `gorm:"not null"`
	Width       int      `gorm:"not null"`
	Height      int      `gorm:"not null"`
	Orientation int      `gorm:"not null;default:1"`
	Lat         *float64 // from the photo's EXIF, WGS-84
	Lng         *float64 //
	Alt         *float64 //
	CoordType   string   `gorm:"size:8;not null;default:''"`
	TakenAt     *time.Time
	StorageKey  string    `gorm:"size:128;not null"`
	ThumbKey    string    `gorm:"size:128;not null;default:''"`
	CreatedAt   time.Time `gorm:"not null"`
}

// FlagSamePhoto: the same photo (by content hash) in two different visits.
const FlagSamePhoto = "same_photo"

// PhotoLocation is where a photo was taken, from its EXIF: always WGS-84 (GPS), never converted.
type PhotoLocation struct {
	Lat       float64  `json:"lat"`
	Lng       float64  `json:"lng"`
	Alt       *float64 `json:"alt"`
	CoordType string   `json:"coord_type"`
}

// PhotoResponse is one photo. url and thumb_url are signed: they work without a token until
// url_expires_at. The thumbnail is made in the background: until thumb_ready, thumb_url
// answers 404 thumb_not_ready (show the photo itself or a placeholder and try again).
type PhotoResponse struct {
	ID           ID             `json:"id"`
	VisitID      ID             `json:"visit_id"`
	CaseID       ID             `json:"case_id"`
	URL          string         `json:"url"`
	ThumbURL     string         `json:"thumb_url"`
	URLExpiresAt Time           `json:"url_expires_at"`
	ThumbReady   bool           `json:"thumb_ready"`
	ContentType  string         `json:"content_type"`
	Width        int            `json:"width"`
	Height       int            `json:"height"`
	Size         int64          `json:"size"`
	SHA256       string         `json:"sha256"`
	TakenAt      *Time          `json:"taken_at"`
	Location     *PhotoLocation `json:"location"`
	UploadedBy   ID             `json:"uploaded_by"`
	CreatedAt    Time           `json:"created_at"`
}
