// Start GOV.UK Frontend and MOJ Frontend components on the page. Copied to static/js/ by scripts/build_assets.sh;
// base.html loads it as a module, so browsers too old for the components skip it (and the page still works).
import { initAll as initGovUkFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";

initGovUkFrontend();
initMojFrontend();
