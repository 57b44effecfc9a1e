"""Django's test client learns which templates a response used, and their context, from the template_rendered
signal, which only Django's own template engine sends. This Jinja2 backend sends it too, in tests only, so that
response.context and response.templates work for the Jinja2 pages as for the admin's."""

from typing import Any

from django.http import HttpRequest
from django.template.backends.jinja2 import Jinja2, Template
from django.test.signals import template_rendered


class RecordedTemplate(Template):
    @property
    def name(self) -> str | None:
        return self.template.name

    def render(self, context: dict[str, Any] | None = None, request: HttpRequest | None = None) -> str:
        template_rendered.send(sender=self, template=self, context=context or {})
        return super().render(context, request)


class RecordingJinja2(Jinja2):
    def get_template(self, template_name: str) -> RecordedTemplate:
        found = super().get_template(template_name)
        return RecordedTemplate(found.template, self)

    def from_string(self, template_code: str) -> RecordedTemplate:
        return RecordedTemplate(self.env.from_string(template_code), self)
