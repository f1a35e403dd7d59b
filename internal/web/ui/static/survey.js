// The survey page (web/survey): the answer chosen by a link in the email
// is shown in a confirmation form, which is sent at once here, so one
// click answers. Without script the customer presses its button. Once per
// page load and link, so going back does not send it again.
const form = document.querySelector("form[data-autosubmit]");
if (form) {
  const key = "ombud-survey-sent:" + location.pathname;
  if (!sessionStorage.getItem(key)) {
    sessionStorage.setItem(key, "1");
    form.submit();
  }
}
