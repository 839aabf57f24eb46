package service

import (
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"fayuan/model"
)

// Passwords hashes and checks passwords with bcrypt. Cost is a parameter so tests can run fast
// while production keeps the default.
type Passwords struct {
	cost  int
	dummy []byte // compared against for unknown users, so they take as long as known ones
}

// NewPasswords builds a hasher; cost 0 means bcrypt.DefaultCost.
func NewPasswords(cost int) *Passwords {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	d, _ := bcrypt.GenerateFromPassword([]byte("fayuan-dummy-password"), cost)
	return &Passwords{cost: cost, dummy: d}
}

// Hash hashes a password that passed CheckPolicy.
func (p *Passwords) Hash(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), p.cost)
	return string(h), err
}

// Match reports whether pw matches hash; an empty hash spends the same time and fails.
func (p *Passwords) Match(hash, pw string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(p.dummy, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// CheckPolicy returns a message when pw is not acceptable. bcrypt reads 72 bytes at most, so a
// longer password would silently lose its tail.
func CheckPolicy(pw string) string {
	switch {
	case utf8.RuneCountInString(pw) < 8:
		return "密码至少 8 位"
	case len(pw) > 72:
		return "密码不能超过 72 个字节"
	}
	return ""
}

// policyError is CheckPolicy as a 422 on field.
func policyError(field, pw string) error {
	if msg := CheckPolicy(pw); msg != "" {
		return model.InvalidField(field, msg)
	}
	return nil
}
