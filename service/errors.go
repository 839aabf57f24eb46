package service

import (
	"errors"

	"gorm.io/gorm"
)

// duplicateAs turns a unique-key violation (gorm translates both drivers' codes) into as.
func duplicateAs(err error, as error) error {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return as
	}
	return err
}
