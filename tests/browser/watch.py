"""What a page must never do: log errors to the console, break its Content Security Policy, or fail to load a
font, image, stylesheet or script. A Watcher attached to a browser context collects all of it."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Request, Response

WATCHED_RESOURCES = {"font", "image", "stylesheet", "script"}

# Runs in every page before the page's own scripts; the browser injects it, so the page's CSP does not apply.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  const violation = `${event.violatedDirective} blocked ${event.blockedURI || 'inline'} ` +
    `(${event.sourceFile || document.location.href}:${event.lineNumber})`;
  window.__cspViolations.push(violation);
  if (window.__reportCspViolation) window.__reportCspViolation(violation);
});
"""


@dataclass
class Watcher:
    """What went wrong in one browser context: console errors, CSP violations, failed requests."""

    found: list[str] = field(default_factory=list)
    console_errors: list[tuple[str, str]] = field(default_factory=list)  # (text, URL of the resource it is about)
    refused_documents: set[str] = field(default_factory=set)  # pages served with 4xx on purpose (403, 404, 400)

    def attach(self, context: BrowserContext) -> None:
        context.expose_function("__reportCspViolation", lambda text: self.found.append(f"CSP violation: {text}"))
        context.add_init_script(CSP_RECORDER)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.found.append(f"Uncaught error: {error.error}"))
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)

    @property
    def problems(self) -> list[str]:
        # Chromium logs every 4xx document as "Failed to load resource" on the console; a 403 or 404 page that a
        # test asked for is not a problem, the same message about a script or stylesheet is.
        console = [
            f"Console error: {text} ({url})"
            for text, url in self.console_errors
            if not (text.startswith("Failed to load resource") and (url in self.refused_documents or _is_favicon(url)))
        ]
        return self.found + console

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append((message.text, message.location.get("url", "")))

    def _request_failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            # Cancelled by the browser itself: a download (evidence, exports), or anything still loading when a
            # click moved to the next page (on a busy machine, the list's icons). A missing or refused file is an
            # HTTP error response instead, which _response reports.
            return
        self.found.append(f"Request failed: {request.resource_type} {request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        resource_type = response.request.resource_type
        if response.status >= 400 and resource_type == "document":
            self.refused_documents.add(response.url)
        elif response.status >= 400 and resource_type in WATCHED_RESOURCES:
            self.found.append(f"HTTP {response.status} for {resource_type} {response.url}")


def _is_favicon(url: str) -> bool:
    """The Django admin's pages declare no icon, so Chromium asks for /favicon.ico; ours declare one (base.html)."""
    return urlsplit(url).path == "/favicon.ico"
