package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot type of version 10.
type photoV10 struct {
	ID          uint64 `gorm:"primaryKey"`
	VisitID     uint64 `gorm:"not null;index"`
	CampaignID  uint64 `gorm:"not null;index:idx_photos_campaign_hash,priority:1"`
	CaseID      uint64 `gorm:"not null;index"`
	UserID      uint64 `gorm:"not null;uniqueIndex:idx_photos_client,priority:1"`
	ClientID    string `gorm:"size:36;not null;uniqueIndex:idx_photos_client,priority:2"`
	SHA256      string `gorm:"column:sha256;size:64;not null;index:idx_photos_campaign_hash,priority:2"`
	Type        string `gorm:"size:8;not null"`
	Size        int64  `gorm:"not null"`
	Width       int    `gorm:"not null"`
	Height      int    `gorm:"not null"`
	Orientation int    `gorm:"not null;default:1"`
	Lat         *float64
	Lng         *float64
	Alt         *float64
	CoordType   string `gorm:"size:8;not null;default:''"`
	TakenAt     *time.Time
	StorageKey  string    `gorm:"size:128;not null"`
	ThumbKey    string    `gorm:"size:128;not null;default:''"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (photoV10) TableName() string { return "photos" }

// v10 adds the photos of field visits.
func v10(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&photoV10{})
}
