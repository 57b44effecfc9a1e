// Start GOV.UK Frontend and MOJ Frontend components on the page. Copied to static/js/ by scripts/build_assets.sh;
// base.html loads it as a module, so browsers too old for the components skip it (and the page still works).
import { createAll, initAll as initGovUkFrontend } from "./govuk-frontend.min.js";
import { FilterToggleButton, initAll as initMojFrontend } from "./moj-frontend.min.js";

initGovUkFrontend();
initMojFrontend();
// MOJ's initAll leaves out the filter's show/hide button. Without it, MOJ's CSS turns the list's filter into a fixed
// panel over the results on narrow screens, with no way to close it.
createAll(FilterToggleButton);
