// Staff pages: GOV.UK Frontend components first, then MOJ Frontend's, which build on them.
import { initAll as initGovukFrontend } from "../govuk/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "../moj/moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();
