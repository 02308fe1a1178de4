// Public pages: the Escape key leaves at once, then GOV.UK Frontend's components start.
// The Escape handler is registered before anything else loads, so that a failure to
// load the component library never takes the quick exit away.

function quickExitUrl() {
  const button = document.querySelector(".govuk-js-exit-this-page-button");
  return button ? button.href : null;
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") {
    return;
  }
  const url = quickExitUrl();
  if (url) {
    // replace(), not assign(): this page leaves no entry for the Back button to return to.
    window.location.replace(url);
  }
});

import("../govuk/govuk-frontend.min.js").then(({ initAll }) => initAll());
