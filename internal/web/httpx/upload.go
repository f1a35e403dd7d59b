package httpx

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/ombud/ombud/internal/apperr"
)

// multipartSlack is what a multipart body may hold beyond the file: the
// token, the client id and the part headers.
const multipartSlack = 16 << 10

// ReadUpload reads a multipart upload whose fields come in order: token,
// client_id, then file. fn gets the fields and the file's name and
// contents as a stream, so the token is checked before a byte of the
// file is read. max is the upload limit (from the settings): a body
// announcing more is refused before it is read.
func ReadUpload(r *http.Request, max int64, fn func(fields map[string]string, name string, body io.Reader) error) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return &apperr.Error{Code: apperr.CodeUnsupported, Message: "send the file as multipart/form-data (token, client_id, file)"}
	}
	if r.ContentLength > max+multipartSlack {
		return uploadTooLarge(max)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return apperr.InvalidField("file", "is not a multipart body")
	}
	fields := map[string]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return apperr.InvalidField("file", "is required")
		}
		if err != nil {
			return uploadReadErr(err, max)
		}
		name := p.FormName()
		if name == "file" {
			err := fn(fields, p.FileName(), &uploadPart{r: p, max: max})
			p.Close()
			return err
		}
		if name == "token" || name == "client_id" {
			b, err := io.ReadAll(io.LimitReader(p, 200))
			if err != nil {
				return uploadReadErr(err, max)
			}
			fields[name] = strings.TrimSpace(string(b))
		}
		p.Close()
	}
}

// limitErr turns the server's body limit into a too-large refusal.
type uploadPart struct {
	r   *multipart.Part
	max int64
}

func (l *uploadPart) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, uploadReadErr(err, l.max)
	}
	return n, err
}

func uploadReadErr(err error, max int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return uploadTooLarge(max)
	}
	return apperr.InvalidField("file", "could not be read in full")
}

func uploadTooLarge(max int64) error {
	return &apperr.Error{Code: apperr.CodeTooLarge, Message: fmt.Sprintf("the file is larger than %d MB", max>>20),
		Fields: map[string]string{"file": fmt.Sprintf("must be at most %d MB", max>>20)}}
}
