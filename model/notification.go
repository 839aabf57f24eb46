package model

import "time"

// WechatSubscription counts the one-time subscribe-message permissions a user granted for a
// template: each wx.requestSubscribeMessage acceptance allows one message, so a send takes one
// and WeChat's 43101 (none left on its side) sets it to zero.
type WechatSubscription struct {
	ID         uint64    `gorm:"primaryKey"`
	UserID     uint64    `gorm:"not null;uniqueIndex:idx_wechat_subs_once,priority:1"`
	TemplateID string    `gorm:"size:64;not null;uniqueIndex:idx_wechat_subs_once,priority:2"`
	Remaining  int       `gorm:"not null;default:0"`
	UpdatedAt  time.Time `gorm:"not null"`
}

// Notification kinds.
const (
	NotifyStaffReminder  = "staff_reminder"  // a staff member's pending cases and days left
	NotifyManagerSummary = "manager_summary" // staff behind pace close to the deadline
)

// Notification statuses. A row is written as "sending" before the message goes out, so a rerun
// or a second replica never sends it twice; a crash mid-send leaves it "sending" (at most once).
const (
	NotifySending              = "sending"
	NotifySent                 = "sent"
	NotifyFailed               = "failed"
	NotifySkippedNotSubscribed = "skipped_not_subscribed"
	NotifySkippedNotBound      = "skipped_not_bound"
	NotifySkippedNotConfigured = "skipped_not_configured"
)

// Notification is one subscribe message the reminder job sent, failed to send or skipped: one
// per (campaign, user, kind, day), the key that keeps the job idempotent.
type Notification struct {
	ID         uint64    `gorm:"primaryKey"`
	CampaignID uint64    `gorm:"not null;uniqueIndex:idx_notifications_once,priority:1"`
	UserID     uint64    `gorm:"not null;uniqueIndex:idx_notifications_once,priority:2;index"`
	Kind       string    `gorm:"size:32;not null;uniqueIndex:idx_notifications_once,priority:3"`
	Day        string    `gorm:"size:10;not null;uniqueIndex:idx_notifications_once,priority:4"`
	Phase      string    `gorm:"size:16;not null"`
	TemplateID string    `gorm:"size:64;not null;default:''"`
	Status     string    `gorm:"size:32;not null"`
	ErrCode    int       `gorm:"not null;default:0"`
	Error      string    `gorm:"size:255;not null;default:''"` // redacted by the wechat package
	Pending    int       `gorm:"not null;default:0"`
	DaysLeft   int       `gorm:"not null;default:0"`
	DataJSON   string    `gorm:"column:data;type:text"`
	CreatedAt  time.Time `gorm:"not null"`
	UpdatedAt  time.Time `gorm:"not null"`
}

// SubscribeRequest reports the templates the user just accepted in wx.requestSubscribeMessage.
type SubscribeRequest struct {
	TemplateIDs []string `json:"template_ids"`
}

// SubscriptionResponse is what the user may still be sent of one template.
type SubscriptionResponse struct {
	TemplateID string `json:"template_id"`
	Remaining  int    `json:"remaining"`
}

// SubscriptionsResponse lists the user's subscriptions to the configured templates.
type SubscriptionsResponse struct {
	Items []SubscriptionResponse `json:"items"`
}

// NotificationResponse is a notification record on the wire.
type NotificationResponse struct {
	ID         ID                `json:"id"`
	UserID     ID                `json:"user_id"`
	UserName   string            `json:"user_name"`
	Kind       string            `json:"kind"`
	Day        string            `json:"day"`
	Phase      Phase             `json:"phase"`
	TemplateID string            `json:"template_id"`
	Status     string            `json:"status"`
	ErrCode    *int              `json:"errcode"`
	Error      string            `json:"error"`
	Pending    int               `json:"pending"`
	DaysLeft   int               `json:"days_left"`
	Data       map[string]string `json:"data"`
	CreatedAt  Time              `json:"created_at"`
	UpdatedAt  Time              `json:"updated_at"`
}
