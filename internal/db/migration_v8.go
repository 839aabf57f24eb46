package db

import (
	"time"

	"gorm.io/gorm"
)

// Snapshot types of version 8.
type wechatSubscriptionV8 struct {
	ID         uint64    `gorm:"primaryKey"`
	UserID     uint64    `gorm:"not null;uniqueIndex:idx_wechat_subs_once,priority:1"`
	TemplateID string    `gorm:"size:64;not null;uniqueIndex:idx_wechat_subs_once,priority:2"`
	Remaining  int       `gorm:"not null;default:0"`
	UpdatedAt  time.Time `gorm:"not null"`
}

func (wechatSubscriptionV8) TableName() string { return "wechat_subscriptions" }

type notificationV8 struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;uniqueIndex:idx_notifications_once,priority:1"`
	UserID     uint64    `gorm:"not null;uniqueIndex:idx_notifications_once,priority:2;index"`
	Kind       string    `gorm:"size:32;not null;uniqueIndex:idx_notifications_once,priority:3"`
	Day        string    `gorm:"size:10;not null;uniqueIndex:idx_notifications_once,priority:4"`
	Phase      string    `gorm:"size:16;not null"`
	TemplateID string    `gorm:"size:64;not null;default:''"`
	Status     string    `gorm:"size:32;not null"`
	ErrCode    int       `gorm:"not null;default:0"`
	Error      string    `gorm:"size:255;not null;default:''"`
	Pending    int       `gorm:"not null;default:0"`
	DaysLeft   int       `gorm:"not null;default:0"`
	DataJSON   string    `gorm:"column:data;type:text"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
}

func (notificationV8) TableName() string { return "notifications" }

// v8 adds the subscribe-message permissions users granted and the reminder job's records.
func v8(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true}).AutoMigrate(&wechatSubscriptionV8{}, &notificationV8{})
}
