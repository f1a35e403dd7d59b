package ticket

import "github.com/ombud/ombud/internal/apperr"

// Limits on the lists a ticket request carries (MaxTags, MaxBulk and
// MaxViewColumns live beside their code). They are checked before any
// element is looked at and before the write transaction, so an oversized
// request is refused at once instead of holding the single writer.
const (
	MaxFollowers    = 100  // follower_ids of one ticket
	MaxFieldValues  = 200  // custom_fields keys in one create or update
	MaxAttachments  = 50   // attachment_ids of one comment or new ticket
	MaxFieldOptions = 1000 // options of one dropdown field
)

// checkSizes refuses a new ticket's oversized lists.
func (in *CreateInput) checkSizes() error {
	fe := apperr.FieldErrors{}
	fe.MaxItems("tags", len(in.Tags), MaxTags)
	fe.MaxItems("follower_ids", len(in.FollowerIDs), MaxFollowers)
	fe.MaxItems("custom_fields", len(in.CustomFields), MaxFieldValues)
	fe.MaxItems("attachment_ids", len(in.AttachmentIDs), MaxAttachments)
	return fe.Err()
}

// checkSizes refuses a patch's oversized lists.
func (p *Patch) checkSizes() error {
	fe := apperr.FieldErrors{}
	if p.Tags != nil {
		fe.MaxItems("tags", len(*p.Tags), MaxTags)
	}
	fe.MaxItems("add_tags", len(p.AddTags), MaxTags)
	fe.MaxItems("remove_tags", len(p.RemoveTags), MaxTags)
	if p.FollowerIDs != nil {
		fe.MaxItems("follower_ids", len(*p.FollowerIDs), MaxFollowers)
	}
	fe.MaxItems("custom_fields", len(p.CustomFields), MaxFieldValues)
	return fe.Err()
}
