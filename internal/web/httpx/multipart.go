package httpx

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
)

// peekLimit bounds how much of a multipart body PeekMultipartField reads.
const peekLimit = 64 << 10

// PeekMultipartField returns the value of a small field among the first
// parts of a multipart/form-data body ("" when it is not there) without
// consuming the body: what was read is put back in front of it, so the
// handler still streams every part, files included, as sent.
//
// The CSRF check uses it: parsing the whole form first would read every
// upload before the handler could, and a body over the size limit would
// fail the check and lose the text typed in the form.
func PeekMultipartField(r *http.Request, name string) string {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" || r.Body == nil {
		return ""
	}
	orig := r.Body
	var seen bytes.Buffer
	mr := multipart.NewReader(io.TeeReader(io.LimitReader(orig, peekLimit), &seen), params["boundary"])
	defer func() {
		r.Body = readCloser{io.MultiReader(bytes.NewReader(seen.Bytes()), orig), orig}
	}()
	for range 16 {
		p, err := mr.NextPart()
		if err != nil {
			return ""
		}
		if p.FormName() == name && p.FileName() == "" {
			b, err := io.ReadAll(io.LimitReader(p, 1024))
			if err != nil {
				return ""
			}
			return string(b)
		}
	}
	return ""
}

type readCloser struct {
	io.Reader
	io.Closer
}
