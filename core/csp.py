"""Content Security Policy: one strict policy for the site and the single relaxation the Django admin needs.

Every script is either a file from our own origin or an inline script carrying the per-request nonce that
django.middleware.csp.ContentSecurityPolicyMiddleware puts in the header (templates read it as ``csp_nonce``).
"""

from django.utils.csp import CSP

SITE_POLICY: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Django's admin marks its scripts and stylesheets with the nonce, and its change list adds an inline
# <style nonce="..."> block; allowing the nonce for styles keeps that block working without 'unsafe-inline'.
ADMIN_POLICY: dict[str, list[str]] = {**SITE_POLICY, "style-src": [CSP.SELF, CSP.NONCE]}
